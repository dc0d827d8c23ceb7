// Package report renders scenario replays and engine diffs as a terminal
// table, JSON, JUnit XML, Markdown, or one self-contained HTML page (side
// by side, filter by class).
package report
