package enrich

import (
	"net/netip"
	"strings"

	"github.com/kubelens/kubelens/src/audit"
)

func deriveSource(ev *audit.Event, out *Output) {
	if len(ev.SourceIPs) == 0 {
		return
	}
	ip := strings.TrimSpace(ev.SourceIPs[0])
	out.Set(FieldSrcIP, ip)
	out.Set(FieldK8sSrcIPClass, ipClass(ip))
}

var (
	cgnat     = netip.MustParsePrefix("100.64.0.0/10")
	linkLocal = []netip.Prefix{netip.MustParsePrefix("169.254.0.0/16"), netip.MustParsePrefix("fe80::/10")}
)

// ipClass classifies an address: loopback, link_local, private, public or
// other.
func ipClass(s string) string {
	addr, err := netip.ParseAddr(s)
	if err != nil {
		return "other"
	}
	addr = addr.Unmap()
	switch {
	case addr.IsLoopback():
		return "loopback"
	case addr.IsLinkLocalUnicast() || linkLocal[0].Contains(addr) || linkLocal[1].Contains(addr):
		return "link_local"
	case addr.IsPrivate() || cgnat.Contains(addr):
		return "private"
	case addr.IsUnspecified() || addr.IsMulticast() || addr.IsInterfaceLocalMulticast() || addr.IsLinkLocalMulticast():
		return "other"
	}
	return "public"
}
