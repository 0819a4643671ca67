"""moto_server for the Terraform tests, with one fix to the emulator: moto 5.2 gives every RDS instance the same
DbiResourceId (db-M5ENSHXFPU6XHZ4G4ZEI5QIO2U), and the AWS provider looks an instance up by that id, so with two
databases it finds two and reports neither. Here each instance gets its own, derived from its identifier.

Run as `python moto_main.py -H 127.0.0.1 -p PORT`.
"""

from __future__ import annotations

import hashlib
from typing import Any

from moto.rds import models
from moto.server import main

_original_init = models.DBInstance.__init__


def _init(self: Any, *args: Any, **kwargs: Any) -> None:
    _original_init(self, *args, **kwargs)
    digest = hashlib.sha256(self.db_instance_identifier.encode()).hexdigest()[:26].upper()
    self.dbi_resource_id = f"db-{digest}"


models.DBInstance.__init__ = _init  # type: ignore[method-assign]

if __name__ == "__main__":
    main()
