from publishing.models.accounts import PlatformPause, PublerConnection, SocialAccount
from publishing.models.attachments import Attachment
from publishing.models.media import MediaAsset, MediaFolder, MediaRendition, MediaTag
from publishing.models.posts import Post, PostMedia, PostTarget, TargetMedia

__all__ = [
    "Attachment",
    "MediaAsset",
    "MediaFolder",
    "MediaRendition",
    "MediaTag",
    "PlatformPause",
    "Post",
    "PostMedia",
    "PostTarget",
    "PublerConnection",
    "SocialAccount",
    "TargetMedia",
]
