// How the app tells a person where their requests go.
import type { AppInfo } from "./api";

export interface ModeLabel {
  text: string;
  detail: string;
  tone: "demo" | "live";
}

export function modeLabel(info: Pick<AppInfo, "mode" | "api_base_url">): ModeLabel {
  if (info.mode === "demo") {
    return {
      text: "Offline demo",
      detail: `No API key set: images come from the built-in fake Gemini server at ${info.api_base_url}. Add a key in Settings to use Google's models.`,
      tone: "demo",
    };
  }
  const google = info.api_base_url.startsWith("https://generativelanguage.googleapis.com");
  return {
    text: google ? "Gemini API" : "Custom API endpoint",
    detail: `Requests go to ${info.api_base_url}`,
    tone: "live",
  };
}
