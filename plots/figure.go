package plots

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/crc32"
	"image/color"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf16"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/forkcost/forkcost/internal/tempfile"
	"github.com/forkcost/forkcost/internal/version"
)

// Formats are the image formats a figure can be written in.
var Formats = []string{"svg", "pdf", "png"}

// PNGDPI is the resolution of PNG output: print quality.
const PNGDPI = 300

// Figure is one drawn figure with the data behind it.
type Figure struct {
	// Kind is the figure's name (savings-vs-size, ...).
	Kind string
	// Machine is set for figures drawn per machine.
	Machine string
	// Caption says in one sentence what the figure shows.
	Caption string
	// Notes are further lines for the CSV header and the SVG metadata:
	// assumptions, subsampling, points left out.
	Notes []string
	// Columns and Rows are the data behind the figure, as written to CSV.
	Columns []string
	Rows    [][]string

	panels []*plot.Plot
	legend []legendEntry
	// heightScale stretches the style's height (for figures with several
	// panels).
	heightScale float64
	// sideBySide puts the panels in a row instead of a column.
	sideBySide bool
	// cols, if set, lays the panels out in a grid of cols columns, row by
	// row.
	cols int
}

// Name is the figure's base file name: KIND or KIND-MACHINE.
// A machine's name is kept to letters, digits, '.', '_' and '-' there, so
// that a profile's name cannot reach outside the output directory.
func (f *Figure) Name() string {
	if f.Machine != "" {
		return f.Kind + "-" + fileSafe(f.Machine)
	}
	return f.Kind
}

func fileSafe(s string) string {
	b := []byte(s)
	for i, c := range b {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' && i > 0
		if !ok {
			b[i] = '_'
		}
	}
	return string(b)
}

// Size is the figure's size in style st: its width, and a height that
// suits its panels.
func (f *Figure) Size(st Style) (w, h vg.Length) { return f.size(st) }

func (f *Figure) size(st Style) (w, h vg.Length) {
	h = st.Height
	if f.heightScale > 0 {
		h = vg.Length(float64(h) * f.heightScale)
	}
	// A legend never takes more than a quarter of the figure: a long one
	// makes the figure taller rather than the data smaller.
	if lh := legendHeight(st, f.legend, st.Width-2); 4*lh > h {
		h = 4 * lh
	}
	return st.Width, h
}

// grid returns the panels' layout: rows and columns.
func (f *Figure) grid() (rows, cols int) {
	n := len(f.panels)
	switch {
	case f.cols > 0:
		cols = min(f.cols, n)
	case f.sideBySide:
		cols = n
	default:
		cols = 1
	}
	return (n + cols - 1) / cols, cols
}

// Draw draws the figure on c: the legend in rows across the top, never over
// data, and the panels stacked below with their axes aligned.
func (f *Figure) Draw(st Style, c draw.Canvas) {
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	c = draw.Crop(c, 1, -4, 1, -2)
	lh := legendHeight(st, f.legend, c.Size().X)
	if lh > 0 {
		drawLegend(st, draw.Crop(c, 0, 0, c.Size().Y-lh, 0), f.legend)
	}
	area := draw.Crop(c, 0, 0, 0, -lh)
	if len(f.panels) == 0 {
		return
	}
	rows, cols := f.grid()
	// Labels that would not fit their panel are shortened or broken in
	// two, never cut.
	for _, p := range f.panels {
		fitLabels(st, p, area.Size().X/vg.Length(cols), area.Size().Y/vg.Length(rows))
	}
	if len(f.panels) == 1 {
		f.panels[0].Draw(area)
		return
	}
	grid := make([][]*plot.Plot, rows)
	for i := range grid {
		grid[i] = make([]*plot.Plot, cols)
	}
	for i, p := range f.panels {
		grid[i/cols][i%cols] = p
	}
	cs := plot.Align(grid, draw.Tiles{Rows: rows, Cols: cols, PadX: 6, PadY: 6}, area)
	for i, p := range f.panels {
		p.Draw(cs[i/cols][i%cols])
	}
}

// fitLabels makes p's axis labels fit a panel of w by h: a label longer
// than its axis loses its ", log scale" (the ticks say so), then is broken
// in two before its parenthesis or colon.
func fitLabels(st Style, p *plot.Plot, w, h vg.Length) {
	// The other axis and its labels take some of the length.
	room := func(length vg.Length) vg.Length { return length - 3.5*st.FontSize }
	fit := func(ax *plot.Axis, length vg.Length) {
		if ax.Label.Text == "" || ax.Label.TextStyle.Width(ax.Label.Text) <= room(length) {
			return
		}
		t := strings.Replace(ax.Label.Text, ", log scale", "", 1)
		t = strings.Replace(t, " (log scale)", "", 1)
		if ax.Label.TextStyle.Width(t) > room(length) {
			for _, sep := range []string{"; ", ": ", " (", ", "} {
				i := strings.Index(t, sep)
				if i <= 0 {
					continue
				}
				first, rest := t[:i]+strings.TrimSpace(sep), t[i+len(sep):]
				if sep == " (" {
					first, rest = t[:i], "("+rest
				}
				t = first + "\n" + rest
				break
			}
		}
		ax.Label.Text = t
	}
	fit(&p.Y, h)
	fit(&p.X, w)
}

// Render writes the figure in format (svg, pdf or png). The same figure
// always gives the same bytes. Each format carries prov as metadata: SVG
// in <metadata>, PDF in its document information (Keywords), PNG in a tEXt
// chunk.
func (f *Figure) Render(w io.Writer, format string, st Style, prov Provenance) error {
	width, height := f.size(st)
	switch format {
	case "svg":
		c := vgsvg.New(width, height)
		f.Draw(st, draw.New(c))
		var buf bytes.Buffer
		if _, err := c.WriteTo(&buf); err != nil {
			return err
		}
		svg := svgWithMetadata(buf.Bytes(), f, prov)
		// Where Liberation Sans is not installed, fall back on fonts with
		// the same metrics (Arial is metric-compatible), not on the
		// viewer's default serif.
		svg = bytes.ReplaceAll(svg, []byte("font-family:Liberation Sans;"), []byte("font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"))
		_, err := w.Write(svg)
		return err
	case "pdf":
		c := vgpdf.New(width, height)
		f.Draw(st, draw.New(pdfCanvas{c}))
		var buf bytes.Buffer
		if _, err := c.WriteTo(&buf); err != nil {
			return err
		}
		pdf := buf.Bytes()
		if err := fixPDFDates(pdf); err != nil {
			return err
		}
		pdf, err := pdfWithInfo(pdf, f, prov)
		if err != nil {
			return err
		}
		_, err = w.Write(pdf)
		return err
	case "png":
		c := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(PNGDPI), vgimg.UseBackgroundColor(color.White))
		f.Draw(st, draw.New(c))
		var buf bytes.Buffer
		if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
			return err
		}
		_, err := w.Write(pngWithText(buf.Bytes(), "Description", strings.Join(f.metadataLines(prov), "\n")))
		return err
	}
	return fmt.Errorf("unknown format %q (want svg, pdf or png)", format)
}

// metadataLines are the provenance lines of the figure.
func (f *Figure) metadataLines(prov Provenance) []string {
	lines := []string{"figure " + f.Name() + ": " + f.Caption}
	lines = append(lines, prov...)
	lines = append(lines, f.Notes...)
	return lines
}

func xmlEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// svgWithMetadata puts a <title>, and the provenance in <metadata>, right
// after the opening <svg> tag.
func svgWithMetadata(svg []byte, f *Figure, prov Provenance) []byte {
	i := bytes.Index(svg, []byte("<svg"))
	if i < 0 {
		return svg
	}
	j := bytes.IndexByte(svg[i:], '>')
	if j < 0 {
		return svg
	}
	at := i + j + 1
	var m bytes.Buffer
	fmt.Fprintf(&m, "\n<title>%s</title>\n<metadata id=\"forkcost-provenance\">\n", xmlEscape(f.Name()))
	for _, l := range f.metadataLines(prov) {
		fmt.Fprintf(&m, "%s\n", xmlEscape(l))
	}
	m.WriteString("</metadata>")
	out := make([]byte, 0, len(svg)+m.Len())
	out = append(out, svg[:at]...)
	out = append(out, m.Bytes()...)
	return append(out, svg[at:]...)
}

// pngWithText inserts a text chunk after the PNG's IHDR chunk: tEXt when
// the text is Latin-1, which tEXt requires, and otherwise iTXt, which holds
// UTF-8 (uncompressed, no language tag), so that no rune is lost.
func pngWithText(png []byte, key, text string) []byte {
	const sigLen, ihdrLen = 8, 8 + 13 + 4
	if len(png) < sigLen+ihdrLen {
		return png
	}
	latin1 := true
	for _, r := range text {
		if r > 0xff {
			latin1 = false
			break
		}
	}
	typ := "tEXt"
	var data []byte
	data = append(data, key...)
	data = append(data, 0)
	if latin1 {
		for _, r := range text {
			data = append(data, byte(r))
		}
	} else {
		typ = "iTXt"
		// Compression flag and method, then an empty language tag and
		// translated keyword, each ended by a zero byte.
		data = append(data, 0, 0, 0, 0)
		data = append(data, text...)
	}
	chunk := make([]byte, 0, 12+len(data))
	chunk = binary.BigEndian.AppendUint32(chunk, uint32(len(data)))
	chunk = append(chunk, typ...)
	chunk = append(chunk, data...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	at := sigLen + ihdrLen
	out := make([]byte, 0, len(png)+len(chunk))
	out = append(out, png[:at]...)
	out = append(out, chunk...)
	return append(out, png[at:]...)
}

// WriteCSV writes the data behind the figure, with the provenance as '#'
// comment lines before the column header.
func (f *Figure) WriteCSV(w io.Writer, prov Provenance) error {
	var buf bytes.Buffer
	for _, l := range f.metadataLines(prov) {
		fmt.Fprintf(&buf, "# %s\n", l)
	}
	cw := csv.NewWriter(&buf)
	cw.Write(f.Columns)
	cw.WriteAll(f.Rows)
	if err := cw.Error(); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// Provenance is the lines that say where a figure's numbers come from: tool
// and model version, traces, profiles with their hashes and overrides.
type Provenance []string

// WriteFiles writes each figure in each format, and its CSV, into dir,
// each file atomically (a temporary file renamed into place). It returns
// the paths written.
func WriteFiles(dir string, figs []*Figure, formats []string, st Style, prov Provenance) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var written []string
	for _, f := range figs {
		for _, format := range formats {
			p := filepath.Join(dir, f.Name()+"."+format)
			if err := writeAtomic(p, func(w io.Writer) error { return f.Render(w, format, st, prov) }); err != nil {
				return written, fmt.Errorf("writing %s: %w", p, err)
			}
			written = append(written, p)
		}
		p := filepath.Join(dir, f.Name()+".csv")
		if err := writeAtomic(p, func(w io.Writer) error { return f.WriteCSV(w, prov) }); err != nil {
			return written, fmt.Errorf("writing %s: %w", p, err)
		}
		written = append(written, p)
	}
	return written, nil
}

func writeAtomic(path string, write func(io.Writer) error) (err error) {
	tmp, err := tempfile.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			tempfile.Remove(tmp.Name())
		}
	}()
	if err = write(tmp); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return tempfile.Rename(tmp.Name(), path)
}

// ErrNoData is wrapped by the errors of figures that have nothing to draw.
var ErrNoData = errors.New("nothing to plot")

func noData(kind, format string, args ...any) error {
	return fmt.Errorf("%s: %w: %s", kind, ErrNoData, fmt.Sprintf(format, args...))
}

// pdfWithInfo appends an incremental update to a PDF that gives it a new
// document information dictionary: Title (the figure's name), Subject (its
// caption) and Keywords (the provenance), beside the original's Producer
// and fixed CreationDate. The original bytes are left as they are, as an
// incremental update allows. A PDF whose trailer it cannot read (a change
// in fpdf's output) is an error: the figure would lose its provenance.
func pdfWithInfo(pdf []byte, f *Figure, prov Provenance) ([]byte, error) {
	bad := func(what string) ([]byte, error) {
		return nil, fmt.Errorf("pdf %s: cannot add the provenance: %s", f.Name(), what)
	}
	tail := pdf[max(0, len(pdf)-1024):]
	t := bytes.LastIndex(tail, []byte("trailer"))
	sx := bytes.LastIndex(tail, []byte("startxref"))
	if t < 0 || sx < t {
		return bad("no trailer before startxref in its last 1024 bytes")
	}
	var size, root, rootGen, prev int
	trailer := string(tail[t:sx])
	i := strings.Index(trailer, "/Size")
	if i < 0 {
		return bad("no /Size in the trailer")
	}
	if _, err := fmt.Sscanf(trailer[i:], "/Size %d", &size); err != nil {
		return bad("trailer /Size: " + err.Error())
	}
	i = strings.Index(trailer, "/Root")
	if i < 0 {
		return bad("no /Root in the trailer")
	}
	if _, err := fmt.Sscanf(trailer[i:], "/Root %d %d R", &root, &rootGen); err != nil {
		return bad("trailer /Root: " + err.Error())
	}
	if _, err := fmt.Sscanf(string(tail[sx:]), "startxref\n%d", &prev); err != nil {
		return bad("startxref: " + err.Error())
	}
	var b bytes.Buffer
	b.Write(pdf)
	if !bytes.HasSuffix(pdf, []byte("\n")) {
		b.WriteByte('\n')
	}
	obj := b.Len()
	info := size
	fmt.Fprintf(&b, "%d 0 obj\n<<\n/Producer %s\n/Title %s\n/Subject %s\n/Keywords %s\n/CreationDate (D:19700101000000)\n>>\nendobj\n",
		info, pdfText("forkcost "+version.String()+" with gonum/plot"), pdfText(f.Name()), pdfText(f.Caption), pdfText(strings.Join(f.metadataLines(prov)[1:], "; ")))
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n%d 1\n%010d 00000 n \ntrailer\n<<\n/Size %d\n/Root %d %d R\n/Info %d 0 R\n/Prev %d\n>>\nstartxref\n%d\n%%%%EOF\n",
		info, obj, size+1, root, rootGen, info, prev, xref)
	return b.Bytes(), nil
}

// fixPDFDates overwrites, in place, the creation and modification dates
// fpdf writes into the document information dictionary with the Unix
// epoch, so that the same inputs give the same bytes. fpdf takes the dates
// from its document (SetCreationDate), which vgpdf keeps to itself, or else
// from process-wide defaults that other users of fpdf in the program would
// share; the dates are fixed-width (D:YYYYMMDDhhmmss), so rewriting them
// moves no byte offset.
func fixPDFDates(pdf []byte) error {
	const epoch = "19700101000000"
	for _, key := range []string{"/CreationDate (D:", "/ModDate (D:"} {
		i := bytes.Index(pdf, []byte(key))
		if i < 0 || len(pdf) < i+len(key)+len(epoch)+1 || pdf[i+len(key)+len(epoch)] != ')' {
			return fmt.Errorf("pdf: no %s...) of %d digits in fpdf's output to fix", key, len(epoch))
		}
		copy(pdf[i+len(key):], epoch)
	}
	return nil
}

// pdfText is s as a PDF text string: UTF-16BE with a byte order mark, in
// hexadecimal, which needs no escaping.
func pdfText(s string) string {
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteString(">")
	return b.String()
}

// pdfCanvas works around vgpdf taking a colour's premultiplied components
// for its RGB, which drew translucent colours dark (the translucent
// points of savings-vs-size came out black): it hands vgpdf the colour's
// straight components. Opaque colours are unchanged.
type pdfCanvas struct{ *vgpdf.Canvas }

func (c pdfCanvas) SetColor(clr color.Color) {
	if clr != nil {
		clr = straightAlpha{clr}
	}
	c.Canvas.SetColor(clr)
}

// straightAlpha is a colour whose RGBA returns components not multiplied
// by alpha: only for vgpdf, which reads them so.
type straightAlpha struct{ c color.Color }

func (s straightAlpha) RGBA() (r, g, b, a uint32) {
	r, g, b, a = s.c.RGBA()
	if a == 0 || a == 0xffff {
		return r, g, b, a
	}
	return r * 0xffff / a, g * 0xffff / a, b * 0xffff / a, a
}
