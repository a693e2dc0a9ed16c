"""face_recognition must really import: when its models fail to load it calls quit() with exit code 0."""

import subprocess
import sys


def test_face_recognition_imports_with_models() -> None:
    code = "import face_recognition, face_recognition_models; print('LOADED', face_recognition.__version__)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "LOADED 1." in result.stdout, result.stdout + result.stderr
