"""``cityrank cache``: where provider results and parsed data are kept between runs, how
much they take, and clearing them."""

from __future__ import annotations

import click

from .common import format_option


def _size(n: int) -> str:
    """Bytes in decimal units (kB = 1,000 bytes)."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} B"


def _files(n: int) -> str:
    return f"{n} file" if n == 1 else f"{n} files"


@click.command()
@click.option("--clear", is_flag=True, help="Remove every file cityrank wrote in the cache folder (the next run "
              "computes the providers' results and parses their data anew).")
@format_option
def cache(clear, fmt):
    """Show the cache's folder and size (provider results, parsed data), or --clear it.

    The folder is $CITYRANK_CACHE or ~/.cache/cityrank; CITYRANK_CACHE=0 turns the cache of
    provider results off (parsed data is still kept)."""
    from .. import api

    info = api.clear_cache() if clear else api.cache_info()
    if fmt == "json":
        click.echo(api.json_text(info), nl=False)
    elif clear:
        click.echo(f"removed {_files(info['files'])} ({_size(info['bytes'])}) from {info['place']}")
    else:
        state = "" if info["enabled"] else " (provider results off: CITYRANK_CACHE=0)"
        click.echo(f"cache: {info['place']}{state}")
        for name, part in [*info["parts"].items(), ("total", info)]:
            click.echo(f"  {name:<17} {_files(part['files']):>10} {_size(part['bytes']):>10}")


COMMANDS = [cache]
