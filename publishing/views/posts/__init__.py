"""Content pages, one module per concern: the post editor (live per-platform checks), the post
page with its actions and the approval queue, and the content calendar."""
