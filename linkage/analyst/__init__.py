"""What analysts use beside the nightly run: explanations, pictures of a cluster, saved queries."""
