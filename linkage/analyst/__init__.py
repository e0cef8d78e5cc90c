"""What analysts use beside the nightly run: explanations, pictures of a cluster, saved queries."""

MAX_ACCOUNTS = 300  # accounts a picture holds at most, the most connected kept (here: the CLI's help shows it cheaply)
