"""The app a test starts as a real worker process (`flask --app tests.job_worker_app consulta worker`).

CONSULTA_* variables configure it like production; CONSULTA_TEST_INSTANCE names its instance folder.
With CONSULTA_TEST_SLOW_ANALYSIS=SECONDS every progress step of the analysis engine sleeps that long, so a
test can kill the worker in the middle of a run.
"""

import os
import time

import analysis
from consulta import create_app as _create_app


def create_app():
    """The production app, with the engine slowed down when asked."""
    delay = float(os.environ.get("CONSULTA_TEST_SLOW_ANALYSIS") or 0)
    if delay:
        original = analysis.analyze_contributions

        def slow(records, *, progress=None, **kwargs):
            def slow_progress(fraction, stage):
                time.sleep(delay)
                if progress is not None:
                    progress(fraction, stage)

            return original(records, progress=slow_progress, **kwargs)

        analysis.analyze_contributions = slow
    return _create_app(instance_path=os.environ.get("CONSULTA_TEST_INSTANCE"))
