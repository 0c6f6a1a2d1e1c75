"""The four-step multi-platform post wizard (seed 004): 1) content, CTA and hashtags with live
counters; 2) platforms with size previews; 3) images — generated as a batch with a live progress
bar, one platform regenerated, or picked from the library; 4) publish now, schedule or draft.

Every step posts the whole form (``generation.forms.WizardForm``); the server validates the step
before opening the next, and the steps not shown travel as hidden inputs, so back and forward
never lose input. The last step calls ``multi_platform_post_create`` with the chosen images.
"""

from __future__ import annotations

import uuid
import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone

from agency import permissions
from agency.models import Client
from agency.permissions import staff_required
from agency.types import StaffRequest
from generation import presets, selectors
from generation.forms import STEP_FIELDS, STEPS, WizardForm
from generation.models import GenerationJob, ItemStatus
from generation.services.captions import clean_tags
from generation.services.images import ImageSpec, image_batch_create, image_item_regenerate
from generation.services.layout import compose
from generation.services.multi_platform import multi_platform_post_create
from localbzz.forms import add_errors
from localbzz.http import HtmxRequest
from publishing import rules
from publishing.models import MediaAsset, SocialAccount

LIBRARY_SIZE = 24


def _client(raw: str | None) -> Client | None:
    try:
        return Client.objects.filter(pk=raw).first() if raw else None
    except (ValueError, ValidationError):
        return None


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _zone(client: Client | None) -> zoneinfo.ZoneInfo:
    return client.tz if client else zoneinfo.ZoneInfo(settings.AGENCY_TIME_ZONE)


def _job(form: WizardForm, client: Client | None) -> GenerationJob | None:
    raw = form.data.get("job") if form.is_bound else None
    if not raw or client is None:
        return None
    try:
        return selectors.jobs(client_id=client.pk).filter(pk=raw, kind=GenerationJob.Kind.IMAGE_BATCH).first()
    except (ValueError, ValidationError):
        return None


class Images:
    """Step 3's state: each platform's image — a library pick, else the batch's current item."""

    def __init__(self, data, client: Client | None, platforms: list[str], job: GenerationJob | None):
        self.platforms = platforms
        self.job = job
        self.items = {i.platform: i for i in selectors.current_items(job)} if job else {}
        self.picks: dict[str, str] = {p: data.get(f"pick_{p}", "") for p in platforms if data.get(f"pick_{p}")}
        valid = [v for v in self.picks.values() if _is_uuid(v)]
        picked = (
            {
                str(a.pk): a
                for a in MediaAsset.objects.filter(
                    client=client, kind=MediaAsset.Kind.IMAGE, pk__in=valid
                ).prefetch_related("renditions")
            }
            if client and valid
            else {}
        )
        self.chosen: dict[str, MediaAsset] = {}
        for platform in platforms:
            pick = picked.get(self.picks.get(platform, ""))
            item = self.items.get(platform)
            if pick is not None:
                self.chosen[platform] = pick
            elif item is not None and item.status == ItemStatus.SUCCEEDED and item.asset:
                self.chosen[platform] = item.asset

    @property
    def running(self) -> bool:
        return self.job is not None and not self.job.is_final

    def missing(self) -> list[str]:
        return [p for p in self.platforms if p not in self.chosen]


def _platform_cards(form: WizardForm, client: Client | None) -> list[dict]:
    """Step 2: each platform with its image size, whether the client can post there, and how
    the text fits (the text is fitted to each platform: shortened where it must be)."""
    connected = (
        set(
            SocialAccount.objects.filter(client=client, status=SocialAccount.Status.CONNECTED).values_list(
                "platform", flat=True
            )
        )
        if client
        else set()
    )
    content = form.data.get("content", "") if form.is_bound else ""
    tags = clean_tags(form.tags)
    cards = []
    for preset in presets.PLATFORM_PRESETS.values():
        width, height = presets.size_for(preset.platform, preset.aspect_ratio)
        text = compose(
            preset.publish_platform,
            caption=content,
            cta=form.data.get("cta", "") if form.is_bound else "",
            hashtags=tags,
            placement=preset.placement,
        )
        limit = rules.limits_for(preset.publish_platform, preset.placement)
        source = len(content) + len(form.data.get("cta", "") if form.is_bound else "")
        cards.append(
            {
                "preset": preset,
                "width": width,
                "height": height,
                "box_w": round(96 * min(1, width / height)),
                "box_h": round(96 * min(1, height / width)),
                "connected": preset.publish_platform in connected,
                "length": rules.text_length(preset.publish_platform, text),
                "limit": limit.text,
                "shortened": rules.text_length(preset.publish_platform, text) < source and bool(content),
            }
        )
    return cards


def _previews(form: WizardForm, images: Images) -> list[dict]:
    """Step 4: what each platform will get."""
    data = form.cleaned_data
    tags = clean_tags(form.tags)
    rows = []
    for platform in images.platforms:
        preset = presets.PLATFORM_PRESETS[platform]
        rows.append(
            {
                "preset": preset,
                "asset": images.chosen.get(platform),
                "text": compose(
                    preset.publish_platform,
                    caption=data.get("content", ""),
                    cta=data.get("cta", ""),
                    hashtags=tags,
                    placement=preset.placement,
                ),
            }
        )
    return rows


def _counters() -> dict:
    """Limits the live counters of step 1 compare against (the tightest feed limits)."""
    return {
        preset.label: rules.limits_for(preset.publish_platform, preset.placement).text
        for preset in presets.PLATFORM_PRESETS.values()
        if preset.placement == "feed"
    }


def _render(
    request: HtmxRequest, form: WizardForm, step: int, client: Client | None, *, validated: bool = False
) -> HttpResponse:
    """Show ``step``. Unless the step was just validated (and failed), its fields show no errors
    yet: a step opened for the first time starts clean."""
    if form.is_bound and not validated:
        form.is_valid()
        for name in STEP_FIELDS[step]:
            form.errors.pop(name, None)
    posted = form.data.getlist("platforms") if form.is_bound and isinstance(form.data, QueryDict) else []
    platforms = [p for p in posted if p in presets.PLATFORM_PRESETS]
    job = _job(form, client)
    images = Images(form.data if form.is_bound else {}, client, platforms, job)
    context = {
        "form": form,
        "step": step,
        "steps": STEPS,
        "client": client,
        "zone": _zone(client),
        "hidden": form.hidden_except(step),
        "picks": images.picks,
        "images": images,
        "counters": _counters(),
    }
    if step == 2:
        context["cards"] = _platform_cards(form, client)
        # Each size is previewed with the client's latest photo, cropped as that platform shows it.
        context["sample"] = (
            MediaAsset.objects.filter(client=client, kind=MediaAsset.Kind.IMAGE)
            .prefetch_related("renditions")
            .order_by("-created_at")
            .first()
            if client
            else None
        )
    if step == 3:
        context["library"] = (
            list(
                MediaAsset.objects.filter(client=client, kind=MediaAsset.Kind.IMAGE)
                .prefetch_related("renditions")
                .order_by("-created_at")[:LIBRARY_SIZE]
            )
            if client
            else []
        )
        context["labels"] = {p: presets.PLATFORM_PRESETS[p].label for p in platforms}
    if step == 4:
        context["previews"] = _previews(form, images)
    template = "generation/wizard.html#wizard" if request.htmx else "generation/wizard.html"
    return render(request, template, context)


@staff_required("edit_content")
def wizard(request: StaffRequest) -> HttpResponse:
    can_publish = permissions.can(request.user, "approve_posts")
    if request.method != "POST":
        client = _client(request.GET.get("client"))
        form = WizardForm(initial={"client": client}, client=client, can_publish=can_publish)
        return _render(request, form, 1, client)
    client = _client(request.POST.get("client"))
    data = request.POST.copy()
    data.setdefault("mode", "schedule" if can_publish else "draft")
    step = min(max(int(data.get("step", "1")) if data.get("step", "1").isdigit() else 1, 1), len(STEPS))
    go = data.get("go", "next")
    if go == "client":  # the client changed on step 1: its campaigns and library load
        data.pop("campaign", None)
        data.pop("job", None)
    with timezone.override(_zone(client)):
        form = WizardForm(data, client=client, can_publish=can_publish)
        if go == "client":
            return _render(request, WizardForm(data, client=client, can_publish=can_publish), 1, client)
        if go.startswith("goto:") and go[5:].isdigit() and int(go[5:]) < step:
            return _render(request, form, int(go[5:]), client)
        if go == "stay":  # re-show the step as it is now (a library pick, the images finished)
            return _render(request, form, step, client)
        if go == "back":
            return _render(request, form, max(step - 1, 1), client)
        for earlier in range(1, min(step, 3) + 1):
            if earlier < step and not form.check_step(earlier):
                return _render(request, form, earlier, client, validated=True)
        if client is None:  # the first step requires one: say so there
            form.check_step(1)
            return _render(request, form, 1, client, validated=True)
        if step == 3 and go == "generate":
            return _generate(request, form, data, client)
        if step == 3 and go.startswith("regenerate:"):
            return _regenerate(request, form, client, go.split(":", 1)[1])
        if not form.check_step(step):
            return _render(request, form, step, client, validated=True)
        if step == 3:
            images = Images(data, client, form.cleaned_data["platforms"], _job(form, client))
            if images.running:
                form.add_error(None, "The images are still being made: wait for the progress bar to finish.")
                return _render(request, form, 3, client, validated=True)
            if images.missing():
                names = ", ".join(presets.PLATFORM_PRESETS[p].label for p in images.missing())
                form.add_error(None, f"Each platform needs an image: generate or pick one for {names}.")
                return _render(request, form, 3, client, validated=True)
        if step < len(STEPS):
            return _render(request, form, step + 1, client)
        return _finish(request, form, data, client)


def _generate(request, form: WizardForm, data, client: Client) -> HttpResponse:
    form.check_step(3)
    cleaned = form.cleaned_data
    specs = [
        ImageSpec(prompt="" if cleaned.get("base_image_prompt") else cleaned["content"], platform=p, tag="wizard")
        for p in cleaned["platforms"]
    ]
    try:
        job = image_batch_create(
            actor=request.user,
            client=client,
            images=specs,
            campaign=cleaned.get("campaign"),
            base_prompt=cleaned.get("base_image_prompt", ""),
            style=cleaned.get("image_style") or "",
            provider=cleaned.get("image_provider") or "",
        )
    except ValidationError as error:
        add_errors(form, error)
        return _render(request, form, 3, client, validated=True)
    data["job"] = str(job.pk)
    for platform in cleaned["platforms"]:
        data.pop(f"pick_{platform}", None)  # a fresh batch replaces earlier library picks
    return _render(request, WizardForm(data, client=client, can_publish=form.can_publish_flag), 3, client)


def _regenerate(request, form: WizardForm, client: Client, platform: str) -> HttpResponse:
    job = _job(form, client)
    item = next((i for i in selectors.current_items(job) if i.platform == platform), None) if job else None
    if item is None:
        form.add_error(None, "There is no generated image for that platform yet: generate the images first.")
        return _render(request, form, 3, client)
    try:
        image_item_regenerate(actor=request.user, item=item)
    except ValidationError as error:
        form.add_error(None, " ".join(error.messages))
    data = form.data.copy() if isinstance(form.data, QueryDict) else QueryDict(mutable=True)
    data.pop(f"pick_{platform}", None)
    return _render(request, WizardForm(data, client=client, can_publish=form.can_publish_flag), 3, client)


def _finish(request, form: WizardForm, data, client: Client) -> HttpResponse:
    cleaned = form.cleaned_data
    images = Images(data, client, cleaned["platforms"], _job(form, client))
    mode = cleaned["mode"]
    try:
        job = multi_platform_post_create(
            actor=request.user,
            client=client,
            content=cleaned["content"],
            platforms=cleaned["platforms"],
            cta=cleaned.get("cta", ""),
            hashtags=form.tags,
            base_image_prompt=cleaned.get("base_image_prompt", ""),
            publish_immediately=mode == "publish",
            schedule_time=cleaned.get("schedule_time") if mode == "schedule" else None,
            image_style=cleaned.get("image_style") or "professional",
            image_provider=cleaned.get("image_provider") or "",
            campaign=cleaned.get("campaign"),
            images=images.chosen,
            title=cleaned.get("title", ""),
        )
    except PermissionDenied as error:
        form.add_error("mode", str(error))
        return _render(request, form, 4, client, validated=True)
    except ValidationError as error:
        add_errors(form, error)
        return _render(request, form, 4, client, validated=True)
    summary = selectors.multi_platform_result(job)
    outcome = summary["status_label"].replace("the client", client.name)  # the one label (ResultState)
    text = f"{outcome}: {summary['successful']} of {summary['total_platforms']} platforms."
    (messages.success if summary["status"] not in {"partial", "failed"} else messages.warning)(request, text)
    response: HttpResponse = redirect("generation-job", job.pk)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = redirect("generation-job", job.pk).url
    return response
