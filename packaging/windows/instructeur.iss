; Inno Setup 6 script: per-user installer of Instructeur, no administrator rights.
;   iscc /DAppVersion=0.1.0 packaging\windows\instructeur.iss     (from the repository root,
;   after PyInstaller has built dist\instructeur\ with packaging\windows\instructeur.spec)
; Installs into %LOCALAPPDATA%\Programs\Instructeur, a Start-menu shortcut (and an optional
; desktop one), the CLI folder optionally on the user's PATH; uninstall from « Applications ».
; Databases live in the user's data folder and are never removed by the uninstaller.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif

[Setup]
AppId={{6C0C1B2E-5A0F-4F4B-9E39-2B1E8A8D7A41}
AppName=Instructeur
AppVersion={#AppVersion}
AppPublisher=Instructeur
DefaultDirName={localappdata}\Programs\Instructeur
DefaultGroupName=Instructeur
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=instructeur-{#AppVersion}-windows-x64-setup
SetupIconFile=..\..\build\instructeur.ico
UninstallDisplayIcon={app}\instructeur.exe
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ChangesEnvironment=yes

[Languages]
Name: "fr"; MessagesFile: "compiler:Languages\French.isl"

[Tasks]
Name: "desktopicon"; Description: "Créer une icône sur le Bureau"; Flags: unchecked
Name: "addtopath"; Description: "Ajouter instructeur-cli au PATH de l'utilisateur"; Flags: unchecked

[Files]
Source: "..\..\dist\instructeur\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{userprograms}\Instructeur"; Filename: "{app}\instructeur.exe"
Name: "{userdesktop}\Instructeur"; Filename: "{app}\instructeur.exe"; Tasks: desktopicon

[Registry]
; Per-user PATH (HKCU, no admin), only when the task is chosen.
Root: HKCU; Subkey: "Environment"; ValueType: expandsz; ValueName: "Path"; \
    ValueData: "{olddata};{app}"; Tasks: addtopath; Check: NeedsAddPath(ExpandConstant('{app}'))

[Run]
Filename: "{app}\instructeur.exe"; Description: "Lancer Instructeur"; Flags: nowait postinstall skipifsilent

[Code]
function NeedsAddPath(Dir: string): Boolean;
var
  Current: string;
begin
  if not RegQueryStringValue(HKEY_CURRENT_USER, 'Environment', 'Path', Current) then
    Result := True
  else
    Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Current) + ';') = 0;
end;
