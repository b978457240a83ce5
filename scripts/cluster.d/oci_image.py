#!/usr/bin/python3
"""Packs one static binary as a single-layer OCI image archive that `ctr images import` loads.

    oci_image.py BINARY REFERENCE OUT.tar [--user UID:GID]

The binary lands at /<its name>, is the entrypoint, and runs as --user (default 65535:65535, the
pause image's). Everything is deterministic (zero mtimes, sorted JSON), so an unchanged binary
gives the same image digest.
"""
import argparse
import hashlib
import io
import json
import os
import tarfile


def blob(data):
    return "sha256:" + hashlib.sha256(data).hexdigest(), data


def layer_tar(binary):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo(os.path.basename(binary))
        with open(binary, "rb") as f:
            content = f.read()
        info.size, info.mode, info.mtime = len(content), 0o755, 0
        tar.addfile(info, io.BytesIO(content))
    return out.getvalue()


def as_json(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def add(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o644, 0
    tar.addfile(info, io.BytesIO(data))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("reference")
    parser.add_argument("out")
    parser.add_argument("--user", default="65535:65535")
    args = parser.parse_args()

    layer_digest, layer = blob(layer_tar(args.binary))
    config_digest, config = blob(as_json({
        "architecture": "amd64",
        "os": "linux",
        "config": {"Entrypoint": ["/" + os.path.basename(args.binary)], "User": args.user},
        "rootfs": {"type": "layers", "diff_ids": [layer_digest]},
    }))
    manifest_digest, manifest = blob(as_json({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": config_digest, "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": layer_digest, "size": len(layer)}],
    }))
    index = as_json({
        "schemaVersion": 2,
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": manifest_digest, "size": len(manifest),
            "annotations": {"io.containerd.image.name": args.reference,
                            "org.opencontainers.image.ref.name": args.reference},
        }],
    })
    with tarfile.open(args.out, "w") as tar:
        add(tar, "oci-layout", as_json({"imageLayoutVersion": "1.0.0"}))
        add(tar, "index.json", index)
        for digest, data in ((layer_digest, layer), (config_digest, config),
                             (manifest_digest, manifest)):
            add(tar, "blobs/sha256/" + digest.split(":")[1], data)


if __name__ == "__main__":
    main()
