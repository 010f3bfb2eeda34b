# Prints one line per committed step of a run's log.jsonl: "<path> <task> name=value ..." with the
# step's metrics sorted by name (values as logged), so FileCheck can check what each step measured.
#   step_metrics.py RUN_DIR/log.jsonl
import json
import sys

for line in open(sys.argv[1]):
    event = json.loads(line)
    if event.get("event") != "step":
        continue
    metrics = sorted((k[len("metric."):], v) for k, v in event.items() if k.startswith("metric."))
    print(" ".join([event["path"], event["task"]] + ["%s=%s" % (k, v) for k, v in metrics]))
