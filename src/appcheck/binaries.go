package appcheck

import (
	"bytes"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"fmt"
	"os"
	"strings"
)

// exe is a binary's file name on platform.
func exe(platform, name string) string {
	if strings.HasPrefix(platform, "windows_") {
		return name + ".exe"
	}
	return name
}

// checkBinaries: every platform folder holds every binary, executable and
// built for that platform; the Windows folder also holds kubeenrich without
// .exe (commands.conf filename names it so); bin/ holds the launchers; every
// command and input scheme has its program.
func checkBinaries(a *app, _ Options) []Finding {
	var out []Finding
	bad := func(p, format string, args ...any) {
		out = append(out, Finding{Check: CheckBinaries, Path: p, Msg: fmt.Sprintf(format, args...)})
	}
	for _, plat := range Platforms {
		names := []string{}
		for _, b := range Binaries {
			names = append(names, exe(plat, b))
		}
		if strings.HasPrefix(plat, "windows_") {
			names = append(names, "kubeenrich")
		}
		for _, n := range names {
			rel := plat + "/bin/" + n
			st, err := os.Stat(a.path(rel))
			if err != nil {
				bad(rel, "missing")
				continue
			}
			if !st.Mode().IsRegular() || st.Mode().Perm()&0o111 == 0 {
				bad(rel, "not an executable file (mode %v)", st.Mode())
				continue
			}
			if err := checkFormat(a.path(rel), plat); err != nil {
				bad(rel, "%v", err)
			}
		}
	}
	for _, b := range Binaries {
		rel := "bin/" + b
		st, err := os.Stat(a.path(rel))
		if err != nil {
			bad(rel, "missing: the launcher for platforms splunkd has no folder name for")
			continue
		}
		head, _ := os.ReadFile(a.path(rel))
		if st.Mode().Perm()&0o111 == 0 || !bytes.HasPrefix(head, []byte("#!/bin/sh")) {
			bad(rel, "must be an executable #!/bin/sh launcher")
		}
	}
	if f := a.conf("commands"); f != nil {
		for _, s := range f.Stanzas {
			fn := s.Value("filename")
			if fn == "" {
				continue
			}
			for _, plat := range Platforms {
				if !a.exists(plat+"/bin/"+fn) && !a.exists("bin/"+fn) {
					bad("default/commands.conf", "[%s] filename = %s: neither %s/bin/%s nor bin/%s exists", s.Name, fn, plat, fn, fn)
				}
			}
		}
	}
	for _, scheme := range modularSchemes(a) {
		for _, plat := range Platforms {
			if !a.exists(plat + "/bin/" + exe(plat, scheme)) {
				bad("default/inputs.conf", "input scheme [%s] has no program %s/bin/%s", scheme, plat, exe(plat, scheme))
			}
		}
	}
	return out
}

// checkFormat verifies the executable format and architecture of a build.
func checkFormat(path, plat string) error {
	switch {
	case strings.HasPrefix(plat, "linux_"):
		f, err := elf.Open(path)
		if err != nil {
			return fmt.Errorf("not an ELF executable: %w", err)
		}
		defer f.Close()
		want := map[string]elf.Machine{"linux_x86_64": elf.EM_X86_64, "linux_aarch64": elf.EM_AARCH64}[plat]
		if f.Machine != want {
			return fmt.Errorf("built for %v, want %v", f.Machine, want)
		}
	case strings.HasPrefix(plat, "darwin_"):
		f, err := macho.Open(path)
		if err != nil {
			return fmt.Errorf("not a Mach-O executable: %w", err)
		}
		defer f.Close()
		want := map[string]macho.Cpu{"darwin_x86_64": macho.CpuAmd64, "darwin_arm64": macho.CpuArm64}[plat]
		if f.Cpu != want {
			return fmt.Errorf("built for %v, want %v", f.Cpu, want)
		}
	case strings.HasPrefix(plat, "windows_"):
		f, err := pe.Open(path)
		if err != nil {
			return fmt.Errorf("not a PE executable: %w", err)
		}
		defer f.Close()
		if f.Machine != pe.IMAGE_FILE_MACHINE_AMD64 {
			return fmt.Errorf("built for machine %#x, want AMD64", f.Machine)
		}
	}
	return nil
}

// builtinSchemes are splunkd's own input types.
var builtinSchemes = map[string]bool{"batch": true, "fifo": true, "monitor": true, "script": true, "splunktcp": true, "splunktcp-ssl": true, "tcp": true, "udp": true, "http": true, "WinEventLog": true, "perfmon": true, "default": true}

// modularSchemes lists the modular input schemes inputs.conf sets defaults
// for: stanzas without "://" that are not splunkd's own.
func modularSchemes(a *app) []string {
	f := a.conf("inputs")
	if f == nil {
		return nil
	}
	var out []string
	for _, s := range f.Stanzas {
		if s.Name != "" && !strings.Contains(s.Name, "://") && !builtinSchemes[s.Name] {
			out = append(out, s.Name)
		}
	}
	return out
}
