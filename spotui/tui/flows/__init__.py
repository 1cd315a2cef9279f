"""What the app does when a widget asks for something that talks to Spotify or changes the
library: queue, export, extend a playlist, choose a device, import a CSV.

Why flows and not app methods: each is a few steps across threads (a question in a dialog,
a worker, a notification, maybe a second dialog), and kept in the app they made it the
place where everything was decided. A flow is started by a message
(:mod:`spotui.tui.messages`) the app hands it; it asks the session, never the store, and
shows what the session answered. Workers run on the app (``app.run_worker``), so the app's
one error handler reports what a flow's worker raised.
"""
