"""After a batch: tools that read its output folder back (the quality summary and HTML report, `vanban
eval` against ground truth, task export). They sit above the pipeline and are never one of its stages."""
