"""Light Block Kit checks: the limits where Slack rejects a message or a view."""

from __future__ import annotations

from typing import Any

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MESSAGE_TEXT = 40_000

KNOWN_BLOCKS = {
    "actions",
    "context",
    "context_actions",
    "divider",
    "file",
    "header",
    "image",
    "input",
    "markdown",
    "rich_text",
    "section",
    "table",
    "video",
}
_TEXT_TYPES = {"plain_text", "mrkdwn"}


def check_blocks(blocks: Any, limit: int, where: str) -> list[str]:
    """Reasons Slack would reject these blocks (empty when fine)."""
    if blocks is None:
        return []
    if not isinstance(blocks, list):
        return [f"{where}: blocks must be a JSON array, got {type(blocks).__name__}"]
    problems: list[str] = []
    if len(blocks) > limit:
        problems.append(f"{where}: {len(blocks)} blocks, Slack allows at most {limit}")
    seen_ids: set[str] = set()
    for i, block in enumerate(blocks):
        at = f"{where}: blocks[{i}]"
        if not isinstance(block, dict):
            problems.append(f"{at} is not an object")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            if len(str(block_id)) > 255:
                problems.append(f"{at}.block_id longer than 255 characters")
            if block_id in seen_ids:
                problems.append(f"{at}.block_id {block_id!r} is not unique")
            seen_ids.add(block_id)
        problems.extend(_check_block(block, at))
    return problems


def _check_block(block: dict[str, Any], at: str) -> list[str]:
    kind = block.get("type")
    if kind not in KNOWN_BLOCKS:
        return [f"{at}: unknown block type {kind!r}"]
    problems: list[str] = []
    if kind == "section":
        text, fields = block.get("text"), block.get("fields")
        if text is None and not fields:
            problems.append(f"{at}: section needs `text` or `fields`")
        if text is not None:
            problems.extend(_check_text(text, f"{at}.text", 3000))
        if fields:
            if len(fields) > 10:
                problems.append(f"{at}: {len(fields)} fields, Slack allows at most 10")
            for j, f in enumerate(fields):
                problems.extend(_check_text(f, f"{at}.fields[{j}]", 2000))
        if block.get("accessory"):
            problems.extend(_check_element(block["accessory"], f"{at}.accessory"))
    elif kind == "header":
        problems.extend(_check_text(block.get("text"), f"{at}.text", 150, plain_only=True))
    elif kind == "context":
        elements = block.get("elements") or []
        if not elements or len(elements) > 10:
            problems.append(f"{at}: context needs 1-10 elements, has {len(elements)}")
        for j, el in enumerate(elements):
            if el.get("type") in _TEXT_TYPES:
                problems.extend(_check_text(el, f"{at}.elements[{j}]", 3000))
    elif kind == "actions":
        elements = block.get("elements") or []
        if not elements or len(elements) > 25:
            problems.append(f"{at}: actions needs 1-25 elements, has {len(elements)}")
        for j, el in enumerate(elements):
            problems.extend(_check_element(el, f"{at}.elements[{j}]"))
    elif kind == "input":
        problems.extend(_check_text(block.get("label"), f"{at}.label", 2000, plain_only=True))
        if not isinstance(block.get("element"), dict):
            problems.append(f"{at}: input needs an `element`")
        else:
            problems.extend(_check_element(block["element"], f"{at}.element"))
    elif kind == "markdown" and len(str(block.get("text", ""))) > 12_000:
        problems.append(f"{at}: markdown block text longer than 12000 characters")
    return problems


def _check_text(obj: Any, at: str, limit: int, plain_only: bool = False) -> list[str]:
    if not isinstance(obj, dict):
        return [f"{at}: text object expected, got {obj!r}"[:200]]
    allowed = {"plain_text"} if plain_only else _TEXT_TYPES
    if obj.get("type") not in allowed:
        return [f"{at}: text type must be one of {sorted(allowed)}, got {obj.get('type')!r}"]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [f"{at}: text must be a non-empty string"]
    if len(text) > limit:
        return [f"{at}: text is {len(text)} characters, Slack allows at most {limit}"]
    return []


def _check_element(el: Any, at: str) -> list[str]:
    if not isinstance(el, dict) or "type" not in el:
        return [f"{at}: element must be an object with a `type`"]
    problems: list[str] = []
    if len(str(el.get("action_id", ""))) > 255:
        problems.append(f"{at}.action_id longer than 255 characters")
    if el["type"] == "button":
        problems.extend(_check_text(el.get("text"), f"{at}.text", 75, plain_only=True))
        if len(str(el.get("value", ""))) > 2000:
            problems.append(f"{at}.value longer than 2000 characters")
    options = el.get("options")
    if options is not None:
        if len(options) > 100:
            problems.append(f"{at}: {len(options)} options, Slack allows at most 100")
        for j, opt in enumerate(options):
            problems.extend(_check_text(opt.get("text"), f"{at}.options[{j}].text", 75))
            if len(str(opt.get("value", ""))) > 150:
                problems.append(f"{at}.options[{j}].value longer than 150 characters")
    return problems


def check_message(args: dict[str, Any], where: str) -> tuple[list[str], str | None]:
    """Problems with a message's text and blocks, and the error Slack would answer."""
    text = args.get("text")
    if isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
        return [f"{where}: text is {len(text)} characters (max {MAX_MESSAGE_TEXT})"], "msg_too_long"
    problems = check_blocks(args.get("blocks"), MAX_MESSAGE_BLOCKS, where)
    return problems, ("invalid_blocks" if problems else None)


def check_view(view: Any, where: str) -> list[str]:
    """Reasons Slack would reject this modal or Home tab view."""
    if not isinstance(view, dict):
        return [f"{where}: view must be a JSON object"]
    kind = view.get("type")
    if kind not in ("modal", "home"):
        return [f"{where}: view type must be 'modal' or 'home', got {kind!r}"]
    problems = check_blocks(view.get("blocks", []), MAX_VIEW_BLOCKS, f"{where}.view")
    if kind == "modal":
        problems.extend(_check_text(view.get("title"), f"{where}.view.title", 24, plain_only=True))
        for button in ("submit", "close"):
            if view.get(button) is not None:
                problems.extend(
                    _check_text(view[button], f"{where}.view.{button}", 24, plain_only=True)
                )
        has_input = any(
            b.get("type") == "input" for b in view.get("blocks", []) if isinstance(b, dict)
        )
        if has_input and view.get("submit") is None:
            problems.append(f"{where}: a modal with input blocks needs a `submit` button")
    if len(str(view.get("private_metadata", ""))) > 3000:
        problems.append(f"{where}: private_metadata longer than 3000 characters")
    if len(str(view.get("callback_id", ""))) > 255:
        problems.append(f"{where}: callback_id longer than 255 characters")
    return problems
