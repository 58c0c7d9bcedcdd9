package enrich

import (
	"net/netip"
	"strconv"
	"strings"
)

func deriveSource(e *Enricher, ev *event, out *Output) {
	ips := ev.SourceIPs
	if len(ips) == 0 {
		return
	}
	first := strings.TrimSpace(ips[0])
	out.Set(FieldSrcIP, first)
	out.Set(FieldK8sSrcIPConn, strings.TrimSpace(ips[len(ips)-1]))
	out.Set(FieldK8sSrcIPCount, strconv.Itoa(len(ips)))
	addr, err := netip.ParseAddr(first)
	class := "other"
	if err == nil {
		addr = addr.Unmap()
		class = ipClass(addr)
	}
	out.Set(FieldK8sSrcIPClass, class)
	out.SetBool(FieldK8sSrcIsPublic, class == "public")
	if err == nil {
		trusted := false
		for _, p := range e.tables.TrustedNetworks {
			if p.Contains(addr) {
				trusted = true
				break
			}
		}
		out.SetBool(FieldK8sSrcTrusted, trusted)
	}
}

var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// ipClass classifies an address: loopback, link_local, private, public or
// other.
func ipClass(addr netip.Addr) string {
	switch {
	case addr.IsLoopback():
		return "loopback"
	case addr.IsLinkLocalUnicast():
		return "link_local"
	case addr.IsPrivate() || cgnat.Contains(addr):
		return "private"
	case addr.IsUnspecified() || addr.IsMulticast():
		return "other"
	}
	return "public"
}
