"""moto_server for the Terraform tests, with one fix to the emulator: moto 5.2 gives every RDS instance the same
DbiResourceId (db-M5ENSHXFPU6XHZ4G4ZEI5QIO2U), and the AWS provider looks an instance up by that id, so with two
databases it finds two and reports neither. Here each instance gets its own, derived from its identifier.
And the server answers one request at a time: moto's threaded server lets concurrent calls on one security group
race (a destroy of parallel rule revocations once failed with InvalidPermission.NotFound for a rule that
existed), and terraform makes up to ten calls at once.

Run as `python moto_main.py -H 127.0.0.1 -p PORT`.
"""

from __future__ import annotations

import hashlib
from typing import Any

import moto.server
from moto.rds import models
from moto.server import main
from werkzeug import serving

_original_init = models.DBInstance.__init__


def _init(self: Any, *args: Any, **kwargs: Any) -> None:
    _original_init(self, *args, **kwargs)
    digest = hashlib.sha256(self.db_instance_identifier.encode()).hexdigest()[:26].upper()
    self.dbi_resource_id = f"db-{digest}"


models.DBInstance.__init__ = _init  # type: ignore[method-assign]


def _run_serially(*args: Any, **kwargs: Any) -> None:
    serving.run_simple(*args, **{**kwargs, "threaded": False})


moto.server.run_simple = _run_serially  # type: ignore[assignment]

if __name__ == "__main__":
    main()
