// esbuild bundles the stylesheet imported by main.tsx; to the type-checker it is an opaque module.
declare module "*.css";
