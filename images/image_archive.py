#!/usr/bin/env python3
"""Writes `docker save` archives (the format jib and `docker load` read) without a Docker daemon,
with fixed times and owners, so the same inputs give the same image ID.

  image_archive.py base ROOTFS.tar OVERLAY_DIR OUT.tar
      the base image: a root filesystem tarball, and a folder laid over it as a second layer
  image_archive.py app BASE.tar JAR NAME:TAG CONFIG.json OUT.tar
      an application image: the base's layers, plus one layer holding JAR as /app/<its name>; the
      settings in CONFIG.json (Entrypoint, Env, ExposedPorts, Labels, User) merged over the base's
"""
import hashlib
import io
import json
import os
import sys
import tarfile

USER = 65532
PATH = "/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
EPOCH = "1970-01-01T00:00:00Z"


def folder_layer(folder):
    """The folder as a layer: owned by root, except the user's home; /tmp world-writable and sticky."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for root, dirs, files in os.walk(folder):
            dirs.sort()
            rel_root = os.path.relpath(root, folder)
            entries = ([] if rel_root == "." else [rel_root]) + [os.path.join(rel_root, f) for f in sorted(files)]
            for rel in map(os.path.normpath, entries):
                path = os.path.join(folder, rel)
                info = tar.gettarinfo(path, arcname="./" + rel)
                info.uid = info.gid = USER if rel.startswith("home/outpost") else 0
                info.uname = info.gname = ""
                info.mtime = 0
                if rel == "tmp":
                    info.mode = 0o1777
                if info.isfile():
                    with open(path, "rb") as data:
                        tar.addfile(info, data)
                else:
                    tar.addfile(info)
    return out.getvalue()


def jar_layer(jar):
    """/app/<jar's name>, read-only for everyone but root."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        app = tarfile.TarInfo("./app")
        app.type, app.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(app)
        info = tarfile.TarInfo("./app/" + os.path.basename(jar))
        info.size, info.mode = os.path.getsize(jar), 0o644
        with open(jar, "rb") as data:
            tar.addfile(info, data)
    return out.getvalue()


def diff_id(layer):
    return "sha256:" + hashlib.sha256(layer).hexdigest()


def write_archive(target, layers, config, tag):
    config_bytes = json.dumps(config, sort_keys=True).encode()
    config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
    layer_names = [diff_id(layer).split(":")[1] + "/layer.tar" for layer in layers]
    manifest = [{"Config": config_name, "RepoTags": [tag], "Layers": layer_names}]
    tmp = target + ".tmp"
    with tarfile.open(tmp, mode="w", format=tarfile.PAX_FORMAT) as out:
        def add(name, data):
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            out.addfile(info, io.BytesIO(data))
        for name, data in zip(layer_names, layers):
            add(name, data)
        add(config_name, config_bytes)
        add("manifest.json", json.dumps(manifest).encode())
    os.replace(tmp, target)


def read_archive(path):
    """The layers (bytes, in order) and the config of a docker-save archive."""
    with tarfile.open(path) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))[0]
        config = json.load(tar.extractfile(manifest["Config"]))
        layers = [tar.extractfile(name).read() for name in manifest["Layers"]]
    return layers, config


def base(rootfs, folder, target):
    with open(rootfs, "rb") as f:
        layers = [f.read(), folder_layer(folder)]
    config = {
        "architecture": "amd64",
        "os": "linux",
        "created": EPOCH,
        "config": {"Env": ["PATH=" + PATH, "JAVA_HOME=/opt/java"], "User": "%d:%d" % (USER, USER),
                   "WorkingDir": "/home/outpost"},
        "rootfs": {"type": "layers", "diff_ids": [diff_id(layer) for layer in layers]},
        "history": [{"created": EPOCH, "created_by": "mmdebstrap --variant=extract bookworm"},
                    {"created": EPOCH, "created_by": "jlinked Java runtime in /opt/java; user 65532"}],
    }
    write_archive(target, layers, config, "outpost/base:latest")


def app(base_archive, jar, tag, settings_file, target):
    layers, config = read_archive(base_archive)
    with open(settings_file) as f:
        settings = json.load(f)
    layers.append(jar_layer(jar))
    container = dict(config["config"])
    base_env = [e for e in container.get("Env", []) if e.split("=", 1)[0] not in
                {s.split("=", 1)[0] for s in settings.get("Env", [])}]
    container.update(settings)
    container["Env"] = base_env + settings.get("Env", [])
    config["config"] = container
    config["rootfs"]["diff_ids"] = [diff_id(layer) for layer in layers]
    config["history"] = config.get("history", []) + [{"created": EPOCH, "created_by": "/app/" + os.path.basename(jar)}]
    write_archive(target, layers, config, tag)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "base":
        base(*sys.argv[2:])
    elif len(sys.argv) == 7 and sys.argv[1] == "app":
        app(*sys.argv[2:])
    else:
        sys.exit(__doc__)
