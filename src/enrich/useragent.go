package enrich

import (
	"regexp"
	"strings"
	"sync"
)

// uaInfo is what a user agent string says, cached per Worker: a cluster
// sees a few hundred distinct user agents in millions of events.
type uaInfo struct {
	tool, category, version, os, arch string
	trusted                           bool
}

// maxUACache bounds the cache; past it the cache starts over, so a flood
// of unique user agents costs time, not memory.
const maxUACache = 4096

// maxUALen is how much of a user agent is classified.
const maxUALen = 4096

// clientPlatform is compiled on first use, as instanceID is.
var clientPlatform = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\(([a-z0-9]+)/([a-z0-9_]+)\)`) })

func (w *Worker) userAgent(ua string) uaInfo {
	// Only the first maxUALen bytes are classified, and only they are
	// kept: a flood of huge forged user agents costs the cache at most
	// maxUACache times maxUALen.
	ua = ua[:min(len(ua), maxUALen)]
	if info, ok := w.uaCache[ua]; ok {
		return info
	}
	// Clone first: ua may alias a chunk buffer that the next chunk
	// overwrites, and both the key and the substrings in info outlive it.
	ua = strings.Clone(ua)
	info := classifyUserAgent(&w.e.tables, ua)
	if len(w.uaCache) >= maxUACache {
		clear(w.uaCache)
	}
	w.uaCache[ua] = info
	return info
}

func classifyUserAgent(t *Tables, ua string) uaInfo {
	var info uaInfo
	if strings.TrimSpace(ua) == "" {
		info.tool, info.category = "none", "none"
		return info
	}
	// A user agent is a few dozen bytes; patterns look at its start. A
	// forged one of megabytes is classified by its first maxUALen bytes,
	// so that it costs no more than a real one.
	ua = canonicalUserAgent(ua[:min(len(ua), maxUALen)])
	info.tool, info.category = "other", "other"
	for i := range t.UserAgents {
		if r := &t.UserAgents[i]; r.re.MatchString(ua) {
			info.tool, info.category = r.Tool, r.Category
			break
		}
	}
	if _, rest, ok := strings.Cut(ua, "/"); ok {
		info.version, _, _ = strings.Cut(rest, " ")
	}
	if m := clientPlatform().FindStringSubmatch(ua); m != nil {
		info.os, info.arch = m[1], m[2]
	}
	info.trusted = t.TrustedUserAgents.Match(ua)
	return info
}

// canonicalUserAgent removes what the platform adds to a client's name,
// so that one pattern matches a tool however it was started. client-go
// names a client after its executable (filepath.Base(os.Args[0])), which
// on Windows ends in ".exe": kubectl.exe/v1.28.2 (windows/amd64) is
// kubectl/v1.28.2 (windows/amd64). A bare name without a version
// ("kubectl", from clients that set only a name) gets the "/" that
// separates product and version, so that ^kubectl/ matches it too.
func canonicalUserAgent(ua string) string {
	end := strings.IndexAny(ua, "/ ")
	product := ua
	if end >= 0 {
		product = ua[:end]
	}
	trimmed := product
	if n := len(trimmed); n > 4 && strings.EqualFold(trimmed[n-4:], ".exe") {
		trimmed = trimmed[:n-4]
	}
	if trimmed != product && strings.ToUpper(trimmed) == trimmed {
		// Windows names are case-insensitive, and some are shouted:
		// KUBECTL.EXE is kubectl (a mixed-case name keeps its case).
		trimmed = strings.ToLower(trimmed)
	}
	switch {
	case end < 0:
		return trimmed + "/"
	case trimmed != product:
		return trimmed + ua[end:]
	}
	return ua
}

func (w *Worker) deriveUserAgent(ev *event, out *Output) {
	if !ev.uaKnown {
		return
	}
	info := w.userAgent(ev.UserAgent)
	out.Set(FieldK8sUATool, info.tool)
	out.Set(FieldK8sUACategory, info.category)
	out.Set(FieldK8sUAVersion, info.version)
	out.Set(FieldK8sClientOS, info.os)
	out.Set(FieldK8sClientArch, info.arch)
	suspicious := false
	switch info.category {
	case "scripting", "browser", "scanner", "none":
		suspicious = true
	}
	// kubectl with a service account's token: someone took the token out
	// of a pod, or runs kubectl inside one.
	if info.tool == "kubectl" && out.First(FieldK8sUserKind) == "service_account" {
		suspicious = true
	}
	if w.e.tables.CustomUserAgents && !info.trusted {
		suspicious = true
	}
	out.SetBool(FieldK8sUASuspicious, suspicious)
}
