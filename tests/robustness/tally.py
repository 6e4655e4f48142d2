"""What the robustness suite tried, counted for its summary line (one list per kind)."""

BAD_INPUTS_TRIED: list[str] = []
FAULTS_INJECTED: list[str] = []
REQUESTS_SENT: list[str] = []
