#!/usr/bin/env bash
# Serve the web app and run one worker beside it; stop both on Ctrl-C or when either exits.
set -u
flask_cmd=$1 host=$2 port=$3
$flask_cmd worker &
worker=$!
$flask_cmd run --host "$host" --port "$port" &
web=$!
trap 'kill $web $worker 2>/dev/null; wait' INT TERM EXIT
wait -n $web $worker
