#!/bin/sh
# A stand-in for crontab(1) in tests that need a crontab but are not about it: the table is the
# file named by the first argument. "-l" prints it (or says there is none, as crontab does);
# "-" replaces it with standard input.
table=$1
shift
case "$1" in
    -l)
        if [ -f "$table" ]; then cat "$table"; else echo "no crontab for $(id -un)" >&2; exit 1; fi ;;
    -) cat > "$table" ;;
    *) echo "fake crontab: unsupported arguments: $*" >&2; exit 2 ;;
esac
