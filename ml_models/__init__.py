"""Demand forecasting: training on the hub, ONNX runtime on the box (a later issue)."""
