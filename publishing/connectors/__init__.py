"""Platform connectors: one module per platform, all with the interface of ``base.Connector``.

``get(platform)`` answers the connector for a platform name (facebook, instagram, linkedin, x,
google_business, publer).
"""
