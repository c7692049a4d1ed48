//! Folder names for export: the backend takes absolute paths, so "~" is expanded here from the data
//! folder's location (the home directory is the part before the platform's app-data folder).

export function homeFromDataDir(dataDir: string): string | null {
  const m = /^(.*?)[\\/](?:\.local[\\/]share|\.config|Library[\\/]Application Support|AppData[\\/](?:Roaming|Local))(?:[\\/]|$)/.exec(dataDir);
  return m ? m[1] : null;
}

export function defaultExportFolder(dataDir: string): string {
  const home = homeFromDataDir(dataDir);
  if (!home) return "~/Pictures/Banana Studio";
  const sep = home.includes("\\") ? "\\" : "/";
  return `${home}${sep}Pictures${sep}Banana Studio`;
}

/** Expands a leading "~" using the home derived from the data folder; otherwise returns the text trimmed. */
export function expandHome(folder: string, dataDir: string): string {
  const f = folder.trim();
  const home = homeFromDataDir(dataDir);
  if (home && (f === "~" || f.startsWith("~/") || f.startsWith("~\\"))) return home + f.slice(1);
  return f;
}
