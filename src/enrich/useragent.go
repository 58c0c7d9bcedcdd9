package enrich

import (
	"regexp"
	"strings"
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

var clientPlatform = regexp.MustCompile(`\(([a-z0-9]+)/([a-z0-9_]+)\)`)

func (w *Worker) userAgent(ua string) uaInfo {
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
	if m := clientPlatform.FindStringSubmatch(ua); m != nil {
		info.os, info.arch = m[1], m[2]
	}
	info.trusted = t.TrustedUserAgents.Match(ua)
	return info
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
