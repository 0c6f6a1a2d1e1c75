"""The preset module publishing picks from, and the byte limits renditions are kept within."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from publishing.media import imaging
from publishing.media.presets import MB, PRESETS, Preset, preset_for
from publishing.tests import media_files as mf


def test_every_platform_limit_is_within_the_contract():
    limits = {"instagram": 8 * MB, "linkedin": 8 * MB, "x": 5 * MB, "facebook": 4 * MB}
    for preset in PRESETS.values():
        for platform in preset.platforms:
            assert preset.max_bytes <= limits.get(platform, 8 * MB), (preset.name, platform)
    assert {(p.width, p.height) for p in PRESETS.values()} == {
        (1080, 1080), (1080, 1350), (1080, 1920), (1200, 630), (1200, 627), (1600, 900),
    }  # fmt: skip


def test_preset_for_picks_by_platform_placement_and_aspect():
    assert preset_for("x").name == "x"
    assert preset_for("instagram").name == "instagram_portrait"
    assert preset_for("instagram", "story").name == "story"
    assert preset_for("instagram", aspect=1.5).name == "instagram_square"
    assert preset_for("facebook", aspect=1.9).name == "facebook"
    with pytest.raises(KeyError):
        preset_for("linkedin", "story")


def test_a_rendition_is_squeezed_under_its_byte_limit(tmp_path):
    path = tmp_path / "busy.jpg"
    path.write_bytes(mf.jpeg_bytes(mf.photo((2000, 2000), seed=4)))
    roomy = Preset("roomy", "Roomy", 1080, 1080, 8 * MB)
    tight = Preset("tight", "Tight", 1080, 1080, 60_000)
    out = imaging.render(str(path), [roomy, tight])
    assert len(out["roomy"].data) > 60_000 >= len(out["tight"].data)
    assert Image.open(io.BytesIO(out["tight"].data)).size == (1080, 1080)
