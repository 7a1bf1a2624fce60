; Inno Setup 6 script: the Windows installer of Autopilot Segment Exporter.
;
; Build the program first (python -m PyInstaller --noconfirm --clean packaging\autopilot-exporter.spec),
; then, from the repository root:
;   iscc /DAppVersion=0.1.0 packaging\windows\autopilot-exporter.iss
; which writes dist\autopilot-exporter-0.1.0-windows-x64-setup.exe.
;
; It installs per user by default (no administrator rights needed; the user may choose an
; all-users install), adds a Start-menu shortcut to the windowed launcher and an optional desktop
; icon, and registers an uninstaller in Settings > Apps. Uninstalling removes the program only:
; data and settings in %LOCALAPPDATA%\AutopilotExporter and keys in Credential Manager stay.

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z packaging\windows\autopilot-exporter.iss
#endif

#define AppName "Autopilot Segment Exporter"
#define AppExe "autopilot-exporter-gui.exe"
#define Root "..\.."

[Setup]
; The AppId identifies the program across upgrades: never change it.
AppId={{6E0B3C52-8F4B-4C1E-9B7A-2F1D5E7A9C31}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Autopilot Segment Exporter team
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
VersionInfoDescription={#AppName} installer
DefaultDirName={autopf}\Autopilot Segment Exporter
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
SetupIconFile={#Root}\resources\icons\autopilot-exporter.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
OutputDir={#Root}\dist
OutputBaseFilename=autopilot-exporter-{#AppVersion}-windows-x64-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole one-folder program: both executables and their shared _internal folder.
Source: "{#Root}\dist\autopilot-exporter\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{userdocs}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{userdocs}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

