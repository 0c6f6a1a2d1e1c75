"""The agency's cloud storage (Google Drive, Dropbox): connections, shoot folders, their files.

``models`` (StorageConnection, ShootFolder; loaded by ``integrations.models``), ``providers`` (the
HTTP clients of Drive v3 and Dropbox v2, through ``localbzz.net.OutboundHTTP``), ``services``
(connect, refresh, disconnect, folders), ``views`` and ``api``. Contracts: docs/storage-contracts.md.
"""
