@echo off
rem kubectl_complete-initwait.cmd: kubectl (>= 1.26) runs this, found on PATH,
rem to complete `kubectl initwait ...`; it hands the words to the plugin.
if exist "%~dp0kubectl-initwait.exe" (
  "%~dp0kubectl-initwait.exe" __complete %*
) else (
  kubectl-initwait.exe __complete %*
)
