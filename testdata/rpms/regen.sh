#!/usr/bin/env bash
# Rebuild the RPM fixtures in this directory from their .spec files.
# Needs rpmbuild. The RPMs are committed so that tests need no rpmbuild;
# run this after changing a spec, then rerun the pkg/repodata tests.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(mktemp -d)
trap 'rm -rf "$top"' EXIT
export SOURCE_DATE_EPOCH=1767225600 # 2026-01-01T00:00:00Z
for spec in "$here"/*.spec; do
  rpmbuild -bb --quiet \
    --define "_topdir $top" \
    --define "_buildhost fixture.example.org" \
    --define "use_source_date_epoch_as_buildtime 1" \
    --define "clamp_mtime_to_source_date_epoch 1" \
    --define "_binary_payload w9.gzdio" \
    "$spec"
done
# One source RPM too (arch "src" in the metadata).
rpmbuild -bs --quiet --define "_topdir $top" "$here/osgtest-noarch.spec" >/dev/null
rm -f "$here"/*.rpm
find "$top/RPMS" "$top/SRPMS" -name '*.rpm' -exec cp {} "$here"/ \;
ls -l "$here"/*.rpm
