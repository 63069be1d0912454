"""What a handler's module may import, as in Lambda: the function's own directory is on
the import path (LAMBDA_TASK_ROOT), so a handler can import a module shipped beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.aws import _kit


@pytest.mark.xfail(
    strict=True,
    reason="simulator/aws/lambda_runtime.py Environment.load executes the handler's file "
    "with importlib but puts its directory on no import path, so `import helpers` of a "
    "helpers.py beside the handler is Runtime.ImportModuleError (No module named "
    "'helpers'), where Lambda finds it in LAMBDA_TASK_ROOT; note that such a module, once "
    "imported, would be shared by every execution environment of the run (one "
    "sys.modules), where Lambda's environments each import their own",
)
def test_a_handler_imports_a_module_beside_it(tmp_path: Path) -> None:
    (tmp_path / "helpers.py").write_text("def greeting():\n    return 'hello'\n")
    tables = _kit.run_handler(
        tmp_path,
        """
        import helpers


        def handler(event, context):
            print(helpers.greeting())
        """,
    )
    [invocation] = tables["invocations"].to_dict("records")
    assert (invocation["outcome"], invocation["log"]) == ("ok", "hello\n")
