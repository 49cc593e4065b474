"""The JSON API, ``/api/v1``: the same services and queries as the pages, authenticated
by personal access tokens (``nominee.tokens``), described by an OpenAPI 3.1 document
generated from the code (SpecTree, from the pydantic models in ``schemas``).

- ``framework``: the bearer token, scopes, problem documents, rate-limit headers,
  ``Idempotency-Key``, cursors and ETags: what every operation shares.
- ``schemas``: the request and response bodies.
- ``views``: the operations, one module per part of the programme, and the document
  and its docs page.
"""
