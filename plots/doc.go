// Package plots draws forkcost's figures for papers: what sharing vfork
// saves, across strategies and machines.
//
// The pipeline:
//
//  1. A Collector rides along a replay (replay.Config.OnEvent = c.OnEvent)
//     and keeps, per eligible creation, its time, parent command, resident
//     size and the saving on every machine; for the sensitivity figure, a
//     count per distinct snapshot (in each machine's pages). For the
//     timeline, Collector.Observe (replay.Config.OnTraceEvent) also sees
//     every event and keeps each process's lifetime, parent and command.
//  2. Collector.Data joins that with replay's Summary. Data satisfies the
//     small interface each figure reads (SavingsSource, CumulativeSource,
//     TotalsSource, SizesSource, SensitivitySource, TimelineSource), so a
//     figure can as well be drawn from numbers of one's own.
//  3. One function per figure kind, one file each, returns a Figure: the
//     drawn panels, a legend, and the rows of its CSV. Make draws a list
//     of kinds and says, for each figure it cannot draw (no eligible
//     creations, only zero-size parents), why.
//  4. Figure.Render writes SVG, PDF or PNG; WriteFiles writes every figure
//     in every format and its CSV into a directory, each file atomically.
//
// The style is a paper's (Paper, Style): 3.3 in or 7 in wide, 8 pt labels
// in Liberation Sans (embedded: no system fonts), ticks at round values,
// axis labels with units (shortened or broken in two where an axis is too
// short, never cut), legends in a strip above the panels so they never
// cover data (the figure grows rather than give a legend more than a
// quarter of it), and series told apart by dash pattern and marker as
// well as by colour (Okabe and Ito's palette; no two of 49 series share
// all three; bar fills of falling lightness, hatched where several stack),
// so that figures survive greyscale and colour-blind readers. Machines
// whose savings differ tenfold get a panel, or a log axis, each; the
// variants of a --set sweep are named by their values. scripts/gallery
// draws every kind in the cases that used to break.
// Log axes plot log10 (times) or log2 (bytes) on linear axes with labelled
// ticks, which keeps values <= 0 out by construction.
//
// Output is reproducible: the same inputs give the same bytes in every
// format (PDF creation dates are fixed at the Unix epoch). The CSV's '#'
// header lines, the SVG's <metadata> and a PNG tEXt chunk carry the
// Provenance: tool and model version, each trace's origin, each profile's
// file, hash and overrides, and the command line.
//
// Scatter plots are subsampled evenly (MaxScatterPoints), cumulative lines
// keep exact running totals at no more than MaxTimelineSteps times, and
// distribution lines exact quantiles at no more than MaxCDFPoints ranks:
// aggregates are never approximated.
//
// The examples draw each figure from a small fixed trace and double as
// golden tests (go test -update rewrites testdata/*_golden.svg).
//
// validate's figures are kinds too, drawn from a Validation (the model's
// predictions against observations, validate.Row) rather than a replay:
// predicted-vs-observed (predicted-vs-measured per creation) and
// residuals-vs-size, listed in ValidationKinds and drawn by
// MakeValidation, in the same style and with the same provenance.
//
// A new figure kind is its own file (the drawing function, and the small
// data interface it reads, which Data implements), one Kind value in
// Kinds (plots.go: name, description, whether it is drawn per machine,
// and the call of its drawing function), an example with its golden SVG,
// and its entry in docs/figures.md with the command that draws it; a
// validation kind is one value in ValidationKinds (validation.go)
// instead.
package plots
