from publishing.models.media import MediaAsset, MediaFolder, MediaRendition, MediaTag

__all__ = ["MediaAsset", "MediaFolder", "MediaRendition", "MediaTag"]
