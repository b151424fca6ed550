"""Records and the dataset schema shared by extractors and flows; imports nothing of ours."""
