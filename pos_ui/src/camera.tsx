// Scanning with a tablet's camera, through the browser's own BarcodeDetector
// (Chrome on Android, ChromeOS, macOS). No decoder is bundled: a JS/WASM one
// is hundreds of KB on a Pi-served kiosk. Without BarcodeDetector (Debian's
// Chromium on Linux, Firefox) or outside a secure context (the camera needs
// https or localhost) the page says so; a scanner or typing still works.
import { useEffect, useRef, useState } from "preact/hooks";
import { T } from "./ui";

interface Detected { rawValue: string }
interface Detector { detect(source: HTMLVideoElement): Promise<Detected[]> }
interface DetectorClass {
  new (options?: { formats?: string[] }): Detector;
  getSupportedFormats?: () => Promise<string[]>;
}

const FORMATS = ["ean_13", "ean_8", "upc_a", "upc_e", "code_128", "code_39", "qr_code"];

function detectorClass(): DetectorClass | null {
  const found = (window as unknown as { BarcodeDetector?: DetectorClass }).BarcodeDetector;
  return found && window.isSecureContext && "mediaDevices" in navigator ? found : null;
}

/** Whether this browser can scan with the camera at all. */
export const cameraScanning = () => detectorClass() !== null;

export function CameraScan(props: { t: T; onCode: (code: string) => void; onClose: () => void }) {
  const { t } = props;
  const video = useRef<HTMLVideoElement>(null);
  const [problem, setProblem] = useState(cameraScanning() ? "" : t("camera.unsupported"));
  const actions = useRef(props);
  actions.current = props;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => { if (e.key === "Escape") { e.preventDefault(); actions.current.onClose(); } };
    window.addEventListener("keydown", onKey);
    const Detector = detectorClass();
    if (!Detector) return () => window.removeEventListener("keydown", onKey);
    let stream: MediaStream | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let live = true;
    const stop = () => { live = false; clearTimeout(timer); stream?.getTracks().forEach((x) => x.stop()); };
    (async () => {
      try {
        const supported = (await Detector.getSupportedFormats?.()) ?? FORMATS;
        const detector = new Detector({ formats: FORMATS.filter((f) => supported.includes(f)) });
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
        if (!live || !video.current) { stop(); return; }
        video.current.srcObject = stream;
        // Not awaited: play() waits for a first frame, and detect() simply finds nothing until then.
        video.current.play().catch(() => undefined);
        // A few looks a second is enough for a held-up pack and spares a tablet's battery.
        const look = async () => {
          if (!live || !video.current) return;
          const found = await detector.detect(video.current).catch(() => [] as Detected[]);
          const code = found.find((x) => x.rawValue)?.rawValue;
          if (code) { stop(); actions.current.onCode(code); actions.current.onClose(); return; }
          timer = setTimeout(look, 250);
        };
        look();
      } catch (err) {
        if (live) setProblem(t("camera.failed", { message: String((err as Error)?.message ?? err) }));
      }
    })();
    return () => { stop(); window.removeEventListener("keydown", onKey); };
  }, []);

  return (
    <div class="modal" role="dialog" aria-modal="true" data-testid="camera-dialog">
      <div class="modal-body">
        <h2>{t("camera.title")}</h2>
        {problem
          ? <p data-testid="camera-problem">{problem}</p>
          : <video ref={video} class="camera" data-testid="camera-video" muted playsInline />}
        <button class="wide" onClick={props.onClose}>{t("approval.cancel")} (Esc)</button>
      </div>
    </div>
  );
}
