"""Untrusted uploads: reading spreadsheets (and drafts) with caps, in a child process with hard limits, started by
a background job; the upload waits in the `uploads` table until it is read, then only its result is kept."""
