"""Label schema, the article format, sentence splitting, and the neural models with their save/load.

Import the submodule you need (`stancesum.models.article`, `stancesum.models.labeler`, ...): this package itself
imports nothing, so reading articles never loads torch.
"""
