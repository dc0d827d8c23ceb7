// Package console serves the emulator's web console: one page, rendered
// with html/template and a little plain JavaScript, embedded in the binary
// (no build step). The page reads and acts on a running emulator through
// the control plane only (the /_emulator/ endpoints), sending the admin
// token when the server requires one; it never shows passwords, answers or
// secrets, because the control plane never returns them.
package console
