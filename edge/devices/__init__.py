"""Counter hardware: barcode scanners, the receipt printer and the cash drawer.

One :class:`~edge.devices.manager.DeviceManager` owns every configured
device (a supervised task, a lock, back-off, a status snapshot), started
and stopped by the box app's lifespan from ``BoxSettings.devices`` (scanners)
and ``BoxSettings.printer`` (the printer, which also kicks the drawer).
Devices publish events (scans, status changes) on an in-process
:class:`~edge.devices.events.Broadcaster` that ``GET /api/v1/devices/events``
streams to the UI. Fakes of each device run the demo and the tests.
See docs/DEVICES.md.
"""
