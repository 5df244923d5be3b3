"""Multipart POSTs built in memory.

Werkzeug's test client spools a multipart body over 500 KB into a TemporaryFile that it never closes; the
file is only reclaimed by the garbage collector, in whatever later test it happens to run, where pytest
turns the ResourceWarning into that test's failure. Large uploads in tests go through post_multipart.
"""

import io

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart


def post_multipart(client, url: str, fields: dict, **kwargs):
    """POST `fields` (values: str, or (bytes | BytesIO, filename)) as multipart/form-data, encoded in memory."""
    values = {}
    for name, value in fields.items():
        if isinstance(value, tuple):
            content, filename = value
            content = content.getvalue() if isinstance(content, io.BytesIO) else content
            values[name] = FileStorage(io.BytesIO(content), filename=filename)
        else:
            values[name] = value
    boundary, body = encode_multipart(values)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}", **kwargs)
