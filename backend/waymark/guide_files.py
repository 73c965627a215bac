"""``waymark guides validate|publish|export``: guide files on disk ↔ the catalogue.

Every problem is printed as ``FILE: PATH: MESSAGE`` (warnings as
``FILE: PATH: warning: MESSAGE``), so editors and CI logs can jump to it.
Each function returns the command's exit status: 0 when fine, 1 when any
file has an error. ``publish`` publishes nothing unless every file is valid.
"""
import json
from pathlib import Path

from . import catalogue
from .schemas.document import DEFAULT_KIND, kind_of
from .schemas.kinds import check_document


def guide_files(paths):
    """The guide files named by ``paths``: files as given, folders' ``*.json`` (recursively, sorted)."""
    found, missing = [], []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.json") if p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            missing.append(path)
    return found, missing


def read_document(path):
    """``(document, None)`` or ``(None, problem)`` when the file is not readable JSON."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        return None, f"is not UTF-8 text (byte {error.start})"
    except OSError as error:
        return None, f"cannot be read: {error.strerror}"
    try:
        return json.loads(text), None
    except json.JSONDecodeError as error:
        return None, f"is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"


def check_files(paths, out):
    """Check every file; print every problem; return ``(valid documents by file, error count)``."""
    files, missing = guide_files(paths)
    errors = 0
    for path in missing:
        print(f"{path}: $: no such file or folder", file=out)
        errors += 1
    if not files and not missing:
        print(f"{', '.join(map(str, paths))}: $: no guide files (*.json) found", file=out)
        errors += 1
    documents, seen_ids, read = {}, {}, []
    for path in files:
        document, problem = read_document(path)
        if problem:
            print(f"{path}: $: {problem}", file=out)
            errors += 1
            continue
        read.append((path, document))
    published_guides = _startable_guides(document for _, document in read)
    for path, document in read:
        result = check_document(document, published_guides=published_guides)
        for item in result["errors"]:
            print(f"{path}: {item['path']}: {item['message']}", file=out)
        for item in result["warnings"]:
            print(f"{path}: {item['path']}: warning: {item['message']}", file=out)
        errors += len(result["errors"])
        if not result["valid"]:
            continue
        if document["id"] in seen_ids:
            print(f"{path}: id: guide id '{document['id']}' is also used by {seen_ids[document['id']]}",
                  file=out)
            errors += 1
            continue
        seen_ids[document["id"]] = path
        documents[path] = document
    return documents, errors


def _startable_guides(documents):
    """Guide ids a nudge may start: the catalogue's published guides and those among the files."""
    in_files = {document.get("id") for document in documents if kind_of(document) == DEFAULT_KIND}
    return catalogue.published_guide_ids() | in_files


def validate_paths(paths, out):
    """Print every error and warning in the guide files; 1 if any error."""
    documents, errors = check_files(paths, out)
    print(f"{len(documents)} valid guide file(s), {errors} error(s)", file=out)
    return 1 if errors else 0


def publish_paths(paths, out):
    """Validate every file, then publish them all (unchanged guides keep their version)."""
    documents, errors = check_files(paths, out)
    if errors:
        print(f"nothing published: {errors} error(s)", file=out)
        return 1
    for path, document in documents.items():
        version, created = catalogue.publish(document)
        state = "published" if created else "unchanged"
        print(f"{path}: {state} {document['id']} version {version}", file=out)
    return 0


def export_directory(directory, out):
    """Write the latest version of every guide (archived ones too) to ``DIRECTORY/<id>.json``."""
    target = Path(directory)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        print(f"{target}: cannot create the folder: {error.strerror}", file=out)
        return 1
    count = 0
    for document, version in catalogue.latest_documents():
        path = target / f"{document['id']}.json"
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{path}: {document['id']} version {version}", file=out)
        count += 1
    print(f"exported {count} guide(s) to {target}", file=out)
    return 0
