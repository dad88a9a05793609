"""Receipt printers and the cash drawer (ESC/POS).

- :mod:`.layout`: the receipt as ESC/POS bytes (pure: a sale, its kernel
  invoice and options in, bytes out), 58 mm (32 columns) and 80 mm (48);
- :mod:`.credit_note`: a return's credit note slip, the same way;
- :mod:`.transports`: USB, serial, TCP 9100, a device file or ``lp``, and the
  DLE EOT status query (paper out / offline) where the link can answer;
- :mod:`.worker`: the print-queue worker, a device with ``start/stop/status``
  that prints the box's durable ``print_job`` rows with retry and back-off.

Invariant: printing follows a sale's (or a return's) commit and never undoes
or delays it; a job that cannot print waits in the queue until the printer
is back.
"""
