"""Service models botocore no longer ships, as package data on its loader's search path.

`lookoutvision/2020-11-20/` is Amazon Lookout for Vision's model (`service-2.json`,
`paginators-1.json`, `endpoint-rule-set-1.json`) as AWS published it in botocore 1.40.0
(Apache License 2.0, the same as this project's), the last botocore line that shipped it
before the service's end of support; the files are decompressed and otherwise unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

MODELS: Final = Path(__file__).parent
"""The directory to put on botocore's data path (`AWS_DATA_PATH`, or a loader's
`search_paths`)."""
