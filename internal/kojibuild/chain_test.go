package kojibuild

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseSpecDeps(t *testing.T) {
	spec := `%global libname voms
Name:           %{libname}-api
Version:        2.1
Release:        1%{?dist}
BuildRequires:  gcc, make >= 4
BuildRequires:  openssl-devel globus-common-devel = 18
Provides:       voms-compat = %{version}
%package devel
Requires: %{name} = %{version}
%package -n libvoms
Summary: x
`
	d, err := ParseSpecDeps("voms", []byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "voms-api" {
		t.Errorf("name = %q", d.Name)
	}
	if want := []string{"voms-api", "voms-compat", "voms-api-devel", "libvoms"}; !reflect.DeepEqual(d.Provides, want) {
		t.Errorf("provides = %q, want %q", d.Provides, want)
	}
	if want := []string{"gcc", "make", "openssl-devel", "globus-common-devel"}; !reflect.DeepEqual(d.BuildRequires, want) {
		t.Errorf("buildrequires = %q, want %q", d.BuildRequires, want)
	}
}

func TestChainGroups(t *testing.T) {
	mk := func(name string, provides []string, br ...string) *Deps {
		return &Deps{Key: name, Name: name, Provides: append([]string{name}, provides...), BuildRequires: br}
	}
	tests := []struct {
		name    string
		pkgs    []*Deps
		want    string // groups joined: "a b | c"
		wantErr string
	}{
		{name: "independent", pkgs: []*Deps{mk("a", nil), mk("b", nil)}, want: "a b"},
		{name: "subpackage dependency", pkgs: []*Deps{
			mk("xrootd-voms", nil, "voms-devel", "xrootd-devel"),
			mk("voms", []string{"voms-devel"}, "gcc"),
			mk("xrootd", []string{"xrootd-devel"}, "voms-devel"),
		}, want: "voms | xrootd | xrootd-voms"},
		{name: "diamond keeps argument order", pkgs: []*Deps{
			mk("d", nil, "b", "c"), mk("c", nil, "a"), mk("b", nil, "a"), mk("a", nil),
		}, want: "a | c b | d"},
		{name: "self requirement ignored", pkgs: []*Deps{mk("a", []string{"a-devel"}, "a-devel")}, want: "a"},
		{name: "cycle", pkgs: []*Deps{mk("a", nil, "b"), mk("b", nil, "a"), mk("c", nil)}, wantErr: "BuildRequires of a, b form a cycle"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gs, err := ChainGroups(tt.pkgs)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var parts []string
			for _, g := range gs {
				var names []string
				for _, p := range g {
					names = append(names, p.Name)
				}
				parts = append(parts, strings.Join(names, " "))
			}
			if got := strings.Join(parts, " | "); got != tt.want {
				t.Errorf("groups = %q, want %q", got, tt.want)
			}
		})
	}
}
