// Command reportcheck loads forkcost's HTML report in a headless Chromium
// and checks it as a user would use it: no console error or uncaught
// exception, no request for anything but the file itself, the process
// tree expands, the search narrows it and sorting by saving orders it. It saves screenshots of the top
// of the page, of the tree (searched for cc1) and of the timeline.
//
// It speaks the DevTools protocol over --remote-debugging-pipe (JSON
// messages separated by NUL bytes on file descriptors 3 and 4), so it
// needs no port, no WebSocket and no library beside the standard one:
// the few commands it sends are a page of code. Run it through
// scripts/report-browser-check, which installs Chromium when missing and
// makes the report; it is not part of 'go test'.
//
//	go run ./scripts/reportcheck -chromium /usr/bin/chromium -shot out.png report.html
package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "reportcheck: %v\n", err)
		os.Exit(1)
	}
}

// cdp is a DevTools connection over the pipe.
type cdp struct {
	w       io.Writer
	mu      sync.Mutex
	next    int
	waiting map[int]chan reply
	events  chan event
}

type reply struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error"`
}

type event struct {
	Method    string          `json:"method"`
	Params    json.RawMessage `json:"params"`
	SessionID string          `json:"sessionId"`
}

func (c *cdp) read(r io.Reader) {
	br := bufio.NewReader(r)
	for {
		msg, err := br.ReadBytes(0)
		if err != nil {
			close(c.events)
			return
		}
		msg = msg[:len(msg)-1]
		var m struct {
			ID int `json:"id"`
			reply
			event
		}
		if json.Unmarshal(msg, &m) != nil {
			continue
		}
		if m.ID != 0 {
			c.mu.Lock()
			ch := c.waiting[m.ID]
			delete(c.waiting, m.ID)
			c.mu.Unlock()
			if ch != nil {
				ch <- m.reply
			}
			continue
		}
		c.events <- m.event
	}
}

// call sends a command (to a session, if given) and waits for its reply.
func (c *cdp) call(session, method string, params any, result any) error {
	c.mu.Lock()
	c.next++
	id := c.next
	ch := make(chan reply, 1)
	c.waiting[id] = ch
	c.mu.Unlock()
	msg := map[string]any{"id": id, "method": method, "params": params}
	if params == nil {
		msg["params"] = map[string]any{}
	}
	if session != "" {
		msg["sessionId"] = session
	}
	b, _ := json.Marshal(msg)
	c.mu.Lock()
	_, err := c.w.Write(append(b, 0))
	c.mu.Unlock()
	if err != nil {
		return err
	}
	select {
	case r := <-ch:
		if r.Error != nil {
			return fmt.Errorf("%s: %s", method, r.Error.Message)
		}
		if result != nil {
			return json.Unmarshal(r.Result, result)
		}
		return nil
	case <-time.After(30 * time.Second):
		return fmt.Errorf("%s: no reply in 30 s", method)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("reportcheck", flag.ContinueOnError)
	chromium := fl.String("chromium", "chromium", "the browser to run")
	shot := fl.String("shot", "report-screenshot.png", "where to save the screenshot (the tree's goes beside it, -tree.png)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if fl.NArg() != 1 {
		return errors.New("usage: reportcheck [-chromium PATH] [-shot FILE.png] REPORT.html")
	}
	page, err := filepath.Abs(fl.Arg(0))
	if err != nil {
		return err
	}
	profile, err := os.MkdirTemp("", "reportcheck-profile-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(profile)
	toChrome, chromeIn, err := os.Pipe()
	if err != nil {
		return err
	}
	chromeOut, fromChrome, err := os.Pipe()
	if err != nil {
		return err
	}
	cmd := exec.Command(*chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
		"--user-data-dir="+profile, "--remote-debugging-pipe", "--window-size=1280,900", "about:blank")
	cmd.ExtraFiles = []*os.File{toChrome, fromChrome} // fds 3 and 4
	var log strings.Builder
	cmd.Stderr = &log
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", *chromium, err)
	}
	toChrome.Close()
	fromChrome.Close()
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	c := &cdp{w: chromeIn, waiting: map[int]chan reply{}, events: make(chan event, 1024)}
	go c.read(chromeOut)

	var target struct{ TargetID string }
	if err := c.call("", "Target.createTarget", map[string]any{"url": "about:blank"}, &target); err != nil {
		return fmt.Errorf("%w (browser log: %s)", err, log.String())
	}
	var att struct{ SessionID string }
	if err := c.call("", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &att); err != nil {
		return err
	}
	s := att.SessionID
	for _, m := range []string{"Page.enable", "Runtime.enable", "Log.enable", "Network.enable"} {
		if err := c.call(s, m, nil, nil); err != nil {
			return err
		}
	}
	if err := c.call(s, "Emulation.setDeviceMetricsOverride", map[string]any{"width": 1280, "height": 1000, "deviceScaleFactor": 1, "mobile": false}, nil); err != nil {
		return err
	}
	// Watch everything the page says and asks for.
	var problems []string
	var mu sync.Mutex
	loaded := make(chan struct{}, 1)
	url := "file://" + page
	go func() {
		for ev := range c.events {
			var p map[string]any
			json.Unmarshal(ev.Params, &p)
			bad := ""
			switch ev.Method {
			case "Page.loadEventFired":
				select {
				case loaded <- struct{}{}:
				default:
				}
			case "Runtime.exceptionThrown":
				bad = "uncaught exception: " + string(ev.Params)
			case "Runtime.consoleAPICalled":
				if p["type"] == "error" || p["type"] == "assert" {
					bad = "console error: " + string(ev.Params)
				}
			case "Log.entryAdded":
				if e, _ := p["entry"].(map[string]any); e != nil && e["level"] == "error" {
					bad = fmt.Sprintf("log error: %v %v", e["text"], e["url"])
				}
			case "Network.requestWillBeSent":
				if r, _ := p["request"].(map[string]any); r != nil {
					u, _ := r["url"].(string)
					if u != url && !strings.HasPrefix(u, "data:") && !strings.HasPrefix(u, "about:") {
						bad = "request for " + u
					}
				}
			}
			if bad != "" {
				mu.Lock()
				problems = append(problems, bad)
				mu.Unlock()
			}
		}
	}()
	if err := c.call(s, "Page.navigate", map[string]any{"url": url}, nil); err != nil {
		return err
	}
	select {
	case <-loaded:
	case <-time.After(60 * time.Second):
		return errors.New("the page did not load in 60 s")
	}
	eval := func(expr string, out any) error {
		var r struct {
			Result struct {
				Value json.RawMessage `json:"value"`
			} `json:"result"`
			ExceptionDetails any `json:"exceptionDetails"`
		}
		if err := c.call(s, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}, &r); err != nil {
			return err
		}
		if r.ExceptionDetails != nil {
			return fmt.Errorf("evaluating %q: %v", expr, r.ExceptionDetails)
		}
		return json.Unmarshal(r.Result.Value, out)
	}
	rows := func() (int, error) {
		var n int
		err := eval(`document.querySelectorAll("table.tree tbody tr").length`, &n)
		return n, err
	}
	var failures []string
	check := func(ok bool, format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		if ok {
			fmt.Fprintf(stdout, "ok   %s\n", msg)
		} else {
			fmt.Fprintf(stdout, "FAIL %s\n", msg)
			failures = append(failures, msg)
		}
	}
	var structure struct {
		Trees, Figures, SVGs int
		Headline             string
	}
	if err := eval(`({Trees: document.querySelectorAll("table.tree").length, Figures: document.querySelectorAll("figure").length,
		SVGs: document.querySelectorAll("figure svg").length, Headline: document.querySelector("#headline").innerText})`, &structure); err != nil {
		return err
	}
	check(structure.Trees > 0, "%d process trees", structure.Trees)
	check(structure.Figures > 0 && structure.SVGs == structure.Figures, "%d figures, each an inline SVG (%d)", structure.Figures, structure.SVGs)
	check(strings.Contains(structure.Headline, "saves"), "the headline says what sharing vfork saves")
	if err := screenshot(c, s, *shot); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "saved %s\n", *shot)

	before, err := rows()
	if err != nil {
		return err
	}
	check(before > 1, "%d tree lines at first (the roots open)", before)
	// Click the first closed line with children.
	var clicked bool
	if err := eval(`(() => { const r = [...document.querySelectorAll("table.tree tr.row")].find(tr => tr.querySelector(".tog").textContent === "\u25b8");
		if (!r) return false; r.click(); return true; })()`, &clicked); err != nil {
		return err
	}
	afterClick, _ := rows()
	check(clicked && afterClick > before, "clicking a closed line opens it: %d lines, then %d", before, afterClick)
	if err := eval(`document.getElementById("expand-all").click(), true`, &clicked); err != nil {
		return err
	}
	expanded, _ := rows()
	check(expanded > afterClick, "expand all: %d lines", expanded)
	if err := eval(`document.getElementById("collapse-all").click(), true`, &clicked); err != nil {
		return err
	}
	collapsed, _ := rows()
	check(collapsed == before, "collapse all: %d lines, as at first", collapsed)
	var narrowed struct {
		Rows, Matching int
		Matches        string
	}
	if err := eval(`(() => { const q = document.getElementById("search"); q.value = "cc1"; q.dispatchEvent(new Event("input"));
		const rows = [...document.querySelectorAll("table.tree tbody tr")];
		return {Rows: rows.length, Matching: rows.filter(r => r.querySelector(".comm").textContent.includes("cc1")).length,
			Matches: document.getElementById("matches").textContent}; })()`, &narrowed); err != nil {
		return err
	}
	check(narrowed.Matching > 0 && narrowed.Rows < expanded, "searching cc1 narrows the tree to %d lines (%d of them cc1; all open: %d): %q",
		narrowed.Rows, narrowed.Matching, expanded, narrowed.Matches)
	// Sorted by saving, the lines under the first root come largest first.
	var sorted struct {
		Lines      int
		Descending bool
	}
	if err := eval(`(() => { const q = document.getElementById("search"); q.value = ""; q.dispatchEvent(new Event("input"));
		document.getElementById("collapse-all").click();
		const s = document.getElementById("sort"); s.value = "saved"; s.dispatchEvent(new Event("change"));
		const unit = {s: 1, ms: 1e-3, us: 1e-6, ns: 1e-9};
		const saved = [...document.querySelector("table.tree tbody").querySelectorAll("tr")].slice(1)
			.map(tr => { const [v, u] = tr.children[4].textContent.split(" "); return Number(v) * unit[u]; });
		return {Lines: saved.length, Descending: saved.every((v, i) => i === 0 || saved[i-1] >= v)}; })()`, &sorted); err != nil {
		return err
	}
	check(sorted.Lines > 2 && sorted.Descending, "sorted by saving: the %d lines under the first root come largest first", sorted.Lines)
	if err := eval(`(() => { const s = document.getElementById("sort"); s.value = "saved"; s.dispatchEvent(new Event("change"));
		document.getElementById("search").value = ""; document.getElementById("search").dispatchEvent(new Event("input"));
		document.getElementById("tree").scrollIntoView(); return true; })()`, &clicked); err != nil {
		return err
	}
	treeShot := strings.TrimSuffix(*shot, ".png") + "-tree.png"
	if err := eval(`document.getElementById("search").value = "cc1", document.getElementById("search").dispatchEvent(new Event("input")), document.getElementById("tree").scrollIntoView(), true`, &clicked); err != nil {
		return err
	}
	if err := screenshot(c, s, treeShot); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "saved %s\n", treeShot)
	figShot := strings.TrimSuffix(*shot, ".png") + "-timeline.png"
	if err := eval(`document.getElementById("timeline").scrollIntoView(), true`, &clicked); err != nil {
		return err
	}
	if err := screenshot(c, s, figShot); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "saved %s\n", figShot)
	time.Sleep(200 * time.Millisecond) // let late console messages arrive
	mu.Lock()
	for _, p := range problems {
		check(false, "%s", p)
	}
	mu.Unlock()
	if len(failures) > 0 {
		return fmt.Errorf("%d checks failed", len(failures))
	}
	fmt.Fprintln(stdout, "no console error, no request but the file itself")
	return nil
}

func screenshot(c *cdp, session, path string) error {
	var shot struct{ Data string }
	if err := c.call(session, "Page.captureScreenshot", map[string]any{"format": "png"}, &shot); err != nil {
		return err
	}
	png, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		return err
	}
	return os.WriteFile(path, png, 0o644)
}
