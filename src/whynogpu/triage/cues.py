"""Free-text cues: phrases people use when describing a GPU problem, in any report.

These are not program output, so they only ever nudge a diagnosis (triage/score.py gives
them small weights). Each cue is a regex searched case-insensitively in one line.
"""

from __future__ import annotations

import re

from whynogpu.knowledge import table
from whynogpu.parsers.logs import MAX_LINE
from whynogpu.triage.literals import Filtered, for_lowered, guarded, lowered, passes

_FRAMEWORK = r"\b(torch|pytorch|tensorflow(-gpu)?|jax(lib)?)\b"


def _twice_installed(a: str, b: str) -> str:
    """A framework put in by installer a and again by installer b (either order), named at each."""
    def by(tool: str) -> str:
        return (rf"(\b{tool} (install|list|package|channel)\b[^;]{{0,40}}{_FRAMEWORK}|{_FRAMEWORK}[^;]{{0,40}}"
                rf"\b(from|via|with|using|by|through) {tool}\b)")
    then = r".{0,120}\b(also|then|on top|as well|plus|another|both|and)\b.{0,120}"
    return f"{by(a)}{then}{by(b)}|{by(b)}{then}{by(a)}"


def _projects(framework: str) -> str:
    return "|".join(f"(?:{r['pattern']})" for r in table("framework_projects") if r["framework"] == framework)


CUES: tuple[tuple[str, re.Pattern], ...] = tuple((cid, re.compile(rx, re.I)) for cid, rx in (
    ("suspend", r"\b(suspend(ed)?|hibernat\w*|(wak(e|ing|es)|woke) (up )?from|after (sleep|resume)|resum(e|ing) from|"
                r"sleep mode|standby)\b"),
    # Work Ray schedules: Ray sets CUDA_VISIBLE_DEVICES for each task and actor to the GPUs it asked for (num_gpus)
    ("ray_workload", r"@?\bray\.(init|remote|get_gpu_ids)\b|\bnum_gpus\s*="),
    # The reporter only suspects the GPU is unused ("so I think the GPU is not really used", "found by torch but it is
    # not used?"): a doubt, often raised by a harmless message, not an observation
    ("doubts_gpu_use", r"\b(i think|i guess|i suspect|seems?|looks? like|not sure|maybe|wonder\w*)\b[^.?]{0,60}\bnot "
                       r"(really |actually )?(being )?used\b|\bbut (it )?is (it )?not (really )?used\?"),
    # The reporter says both processes use one environment ("a Jupyter notebook of the same env")
    ("same_env", r"\b(same|identical) (conda |virtual |python |venv )?(env|environment|venv|virtualenv|interpreter|python)\b"),
    # (a GUI or an app's .bat launcher starts its own Python, like a kernel or an IDE does)
    # ("console output (run from PyCharm)" labels pasted output: it names no second place)
    ("jupyter_only", r"(terminal|command line|command prompt|anaconda prompt|powershell|shell|console(?! output| log)|python -c|ipython)"
                     r".{0,200}(jupyter|notebook|kernel|pycharm|vs ?code|spyder|rstudio|\bthe gui\b|\.bat\b|batch file)|"
                     r"(jupyter|notebook|pycharm|vs ?code|spyder|rstudio|\bthe gui\b|\.bat\b|batch file).{0,120}(terminal|"
                     r"command line|command prompt|anaconda prompt|powershell|shell)|"
                     # "it works in the shell, but not in the spawned server / the service / under cron"
                     r"\b(terminal|command line|shell|console)\b.{0,40}\bbut not (in|from|under|with|when|through)\b"),
    # The application was updated (its update script, a git pull, its requirements reinstalled): the update
    # reinstalls the framework from the project's requirements, not the driver
    ("app_updated", r"\bupdate(r)? ?(\.bat|\.sh|\.ps1| script)\b|\bgit pull\b|\b(ran|run|running|after) the update\b|\bupdated? (the |my )?"
                    r"(app|repo|webui|web ui|extension|custom nodes?|requirements|packages|environment)\b"),
    # The framework came from a project's own install steps ("followed the installation section of the README"):
    # what gets installed is whatever those steps name, often the framework without its CUDA variant
    ("followed_install", r"\b(followed|following|used|ran) (exactly )?(the |their |your |its |all the )?(install(ation)?|setup|"
                         r"set-up|getting[- ]started|quick ?start)( section| instructions| steps| guide| docs?| commands?| "
                         r"script)\b|\bfollowed (the |your )?readme\b|\bas (the|your) readme says\b|"
                         r"\binstalled (exactly |just )?(per|as per|according to|as in|as described in) (the |its |their )?(readme|docs?|"
                         r"instructions|install guide)\b"),
    # "that error is gone", "the message went away": what the report showed before that line is history
    ("error_gone", r"\b(that|this|the|those) (error|errors|message|messages|crash)( is| are| was| has| have)? (now )?"
                   r"(gone|went away|disappeared|vanished|been fixed|been solved)\b"),
    ("after_update", r"\b(after|since) (an? |the |my |some |last )?(recent |automatic |auto[- ]?|system |kernel |driver |"
                     r"apt |ubuntu |unattended[- ]|security )*(update|upgrade)"),
    # "it fails until I reboot", "rebooting fixes it", "after I rebooted it works again"
    ("reboot_fixes", r"(until|after) (i |we )?reboot(?!ed)|\b(after|once) (i |we )?rebooted\b.{0,30}\b(works?|worked|fine|"
                     r"fixed|back)\b|reboot(ing)?\b.{0,40}\b(fix|solve|work|help)|restart(ing)? the "
                     r"(machine|computer|server|system).{0,40}(fix|solve|work)"),
    # The same setup fails on some runs and works on others ("most of the time it runs; now and then it fails at
    # startup"): a version or an install fault fails every run, so what changes between runs is the GPU's state
    ("intermittent", r"\bintermittent(ly)?\b|\b(fails?|failed|failing|crash(es|ed)?|errors? out|breaks?)\b[^.\n]{0,30}"
                     r"\b(only )?(sometimes|occasionally|randomly|now and then|from time to time|some of the time)\b|"
                     r"\b(sometimes|occasionally|randomly|now and then|from time to time)\b[^.\n]{0,30}\b(fails?|"
                     r"crash(es)?|errors? out|breaks?)\b|\bmost of the time\b[^.\n]{0,40}\b(works?|runs?|fine|"
                     r"succeeds?)\b|\b(works?|runs?|succeeds?)\b[^.\n]{0,20}\bmost of the time\b"),
    # "it ran fine until I rebooted", "since a restart", "after a reboot it no longer …": the reboot took the GPU away
    ("reboot_broke_it", r"\b(fine|worked|working|ran|running|was using)\b.{0,60}\b(until|till) (i |we )?(rebooted|"
                        r"restarted)\b|\bsince (a |the |my |i |we )?(reboot|restart)(ed)?\b|\bafter (a |the |i |we )?"
                        r"(reboot|restart)(ed|ing)?\b.{0,40}\b(no longer|stopped|fails?|failed|doesn'?t|does not|won'?t|"
                        r"can'?t|isn'?t)\b"),
    # (Unraid runs its apps from Docker templates, and its NVIDIA driver plugin sets up nvidia-container-runtime for
    # them: an ML app "on Unraid" is a container, unless the report says it runs in a VM there;
    # raw.githubusercontent.com/ich777/unraid-nvidia-driver/master/nvidia-driver.plg)
    ("container", r"\b(docker|containers?|kubernetes|k8s|podman|singularity|apptainer)\b|\bunraid\b(?!.{0,40}\b(vm|virtual machine)\b)"),
    # (kernel release strings: WSL 1 has no Linux kernel and reports "4.4.0-<Windows build>-Microsoft", WSL 2's kernel
    # is "…-microsoft-standard[-WSL2]": microsoft/WSL#5145, yast/yast-yast2#1084)
    # (not "I'm not using WSL", "native Windows instead of WSL2")
    ("wsl", r"(?<!not )(?<!no )(?<!without )(?<!not using )(?<!n't using )(?<!not use )(?<!n't use )(?<!not in )"
            r"(?<!not on )(?<!instead of )\b(WSL2?|Windows Subsystem for Linux|Bash on (Ubuntu on )?Windows|Ubuntu app)\b|"
            r"\b4\.4\.0-\d{5}-Microsoft\b|-microsoft-standard\b"),
    # A desktop hypervisor's guest: VMware Workstation/Player/Fusion and Parallels give it a virtual display adapter,
    # VirtualBox dropped PCI passthrough in 6.1, a client Hyper-V VM gets the synthetic hyperv_drm display (not WSL,
    # which reaches the GPU through the host's driver); the guest drivers' own names say the same from the inside
    # (VirtualBox: commit 5178e47 of its trunk, "disable PCI passthrough"; VMware Workstation's 3D acceleration
    # translates graphics calls and runs no CUDA: info2soft.com/blogs/vmware-how-to-enable-gpu.html)
    # The reporter says the machine has no GPU at all: "We don't have a GPU", "our cluster has no GPUs" (not a GPU
    # with too little memory, nor a GPU "for this", nor no GPU *in use*)
    ("no_gpu_owned", r"(?<!if )(?<!whether )\b(we|i)( really| simply| just)? (do ?n[o']?t|do not|did ?n[o']?t) (have|own|got) "
                     r"(a|an|any)( nvidia| cuda| dedicated)? (gpu|graphics card|video card)s?\b(?! (with|that|which|for|to|on "
                     r"which|available to|set up|locally|here|at home|on my|myself))|"
                     r"(?<!says )(?<!said )(?<!thinks )(?<!claims )(?<!reports )(?<!believes )\b(my|our|this|the|on a) "
                     r"(machine|server|cluster|laptop|pc|computer|nodes?|vm|vps|box)( that| which)? (has|have) no( nvidia| cuda)? "
                     r"(gpu|graphics card)s?\b(?! (memory|support|access))|"
                     # "I'm on a laptop without a GPU", "is it possible to run it without NVIDIA GPU hardware?": asked by
                     # one who has none
                     r"\b(i'?m|i am|we'?re|we are|running) on an? (machine|server|laptop|pc|computer|vm|vps|box) (without|with no) "
                     r"(a |an |any )?(nvidia |cuda |dedicated )?(gpu|graphics card)s?\b|"
                     r"\b(is it possible|is there a way|can i|can we|how (can|do) i) (to )?(run|use) (it|this|\w+) (on a machine )?"
                     r"without (a |an |any )?(nvidia |cuda )?(gpu|graphics card)s?( hardware)?\b"),
    ("vm_guest", r"\b(vmware(?! ?(esxi|vsphere|vgpu))( workstation| player| fusion)?|virtual ?box|vbox(video|svga)|"
                 r"parallels desktop|hyper-?v (vm|virtual machine|guest)|hyperv_drm\w*|vmwgfx|vmware svga|UTM vm)\b"),
    # ... unless the GPU is handed to it (passthrough, vGPU, DDA): then it does see an NVIDIA GPU
    ("vm_passthrough", r"\b(pass-?through|passed through|vgpu|vfio|dda|discrete device assignment|directpath|grid driver)\b"),
    ("wsl1", r"\bWSL ?1\b|Bash on (Ubuntu on )?Windows|Windows \[Version 10\.0\.1[0-7]\d{3}|\b4\.4\.0-\d{5}-Microsoft\b"),
    ("windows", r"\bwin(dows)?[ -]?(7|8|10|11)\b|\bwindows\b|\b\w+64_\d+\.dll\b|[A-Z]:\\(Users|Program Files|Python)"),
    ("macos", r"\b(mac ?OS|Mac ?Book|iMac|Mac mini|Mac Studio|OS X|OSX|Darwin|High Sierra|Mojave|Catalina|Big Sur|"
              r"Monterey|Ventura|Sonoma|Sequoia|Apple (silicon|M\d)|M[1-4] (Pro|Max|Ultra|chip|Mac(Book)?)|Mac(Book)? M[1-4]|Apple M chip|MBP|"
              r"(on|my|a) Mac|mac ?1[0-5](\.\d+)?(?! ?(gb|%)))\b|"
              # a macOS home folder, capital U (not C:/Users, /mnt/c/Users, Git Bash's /c/Users, or the /users/ homes
              # of Linux clusters)
              r"(?<![\w:])(?-i:/Users/)\w+|"
              # in Chinese and Japanese: "苹果 M1 芯片", "M2チップ", "マック"
              r"苹果|蘋果|M[1-4] ?(芯片|晶片|チップ)|マック"),
    # (the machine restarts; not "Jupyter restarts the kernel", "the kernel restarts")
    ("hardware", r"\b(?<!kernel )(?<!it )(reboots|(?<!jupyter )restarts(?! (it|the kernel|kernel))|(?<!has )shuts? (down|off)(?! (successfully|gracefully|cleanly))|(pc|computer|machine|system|box|server) (switches|turns|powers|"
                 r"goes) (off|down|dark)|power supply|PSU|overheat\w*|temperature(?!\s*[,=)\]])|fell off the bus|"
                 r"fallen off|black screen|crash(es)? the (whole )?(machine|computer|system)|simply reboots|"
                 r"whole machine restarts|(pc|computer|machine|system|box|server|rig) (cuts?|cutting) (out|off)|"
                 r"plug (got|was|had been|were) pulled|boots? (back )?up again|(hard|instant|sudden) (reboot|shutdown|"
                 r"power[- ]?off))\b"),
    # ("someone else" only with the work they run: "someone else opened an issue for this" shares no GPU)
    ("shared_gpu", r"(shared with|other (people'?s?|users'?) jobs|other (jobs|processes)|memory of the card|someone else(?:'s)? "
                   r"(?:is |was )?(?:using|runs?\b(?! into)|running\b(?! into)|uses|jobs?|process(?:es)?|training|model))"),
    # The GPU's memory is (almost) full: another process's, or the reporter's own framework holding it while it works
    ("memory_full", r"(little free memory|memory\b.{0,30}(almost|nearly) (completely )?(full|used|taken))"),
    ("works_elsewhere", r"(import|python|interpreter|console|shell|terminal|collect_env).{0,60}(sees|is seeing|detects|finds|"
                        r"works).{0,100}(but|however|when)"
                        r".{0,100}(script|repo|code|training|train\.py|inference|launch|engine|server)|"
                        # "it works in X but not in Y", "not detected in R, but appears in python": two places
                        r"\b(works?|working|appears?|detected|visible|shows? up|available)\b[^.]{0,40}\b(in|from|under|"
                        r"inside|through)\b[^.]{0,40}\bbut not\b|\bnot (detected|visible|found|available|working)\b"
                        r"[^.]{0,30}\b(in|from|under|inside)\b[^.]{0,30}\bbut\b[^.]{0,30}\b(works?|appears?|"
                        r"detected|visible|shows? up|available)\b"),
    # An app shipped with its own Python and framework build: ComfyUI's portable build (python_embeded), the
    # one-click packages of voice and image apps ("整合包"), a bundled runtime\python.exe
    ("portable_bundle", r"\bpython_embed+ed\b|\bportable (build|version|package|edition|release|bundle)\b|"
                        r"\bwindows_portable\b|整合包|\bone[- ]click (package|bundle)\b|\bruntime\\python\.exe\b"),
    # Colab against the reporter's own computer, in either order ("in Colab the GPU is picked up, but locally it
    # trains on the CPU"): another machine, so the report is not about a hosted runtime
    ("colab_elsewhere", r"\bcolab\b[^.]{0,120}\bbut\b[^.]{0,40}\b(locally|on my (own )?(machine|pc|computer|laptop|"
                        r"desktop))\b|\b(locally|on my (own )?(machine|pc|computer|laptop|desktop))\b[^.]{0,120}\bbut\b"
                        r"[^.]{0,60}\bcolab\b|"
                        # "The same example runs fine in Colab." (not "it ran fine on Colab until yesterday")
                        r"\b(same|identical)\b[^.]{0,60}\b(works?|runs?|ran|worked)\b[^.]{0,20}\b(in|on) (google )?colab\b"
                        r"(?![^.]{0,40}\b(until|till|but|before|yesterday)\b)|"
                        r"\b(works?|runs?) (fine|well|perfectly|great) (in|on) (google )?colab\b"
                        r"(?![^.]{0,40}\b(until|till|but|before|yesterday)\b)"),
    # Another framework uses the GPU from the same place ("TensorFlow inside the very same container does find and use
    # the GPU"): the driver, the container and the device reach that environment
    ("other_framework_works", r"\b(tensorflow|tf|pytorch|torch|jax|keras)\b[^.]{0,40}\b(same|very same|this|that) "
                              r"(container|image|env(ironment)?|venv|notebook)\b[^.]{0,40}?(?<!n't )(?<!not )(?<!never )(?<!no longer )"
                              r"(?<!n't )\b(does )?(finds?|sees?|detects?|uses?|works)\b(?! either)|\b(in|inside) the (very )?"
                              r"same (container|image|env(ironment)?|venv)\b[^.]{0,20}\b(tensorflow|tf|pytorch|torch|jax)\b"
                              r"[^.]{0,40}?(?<!n't )(?<!not )(?<!never )(?<!no longer )\b(finds?|sees?|detects?|uses?|works)\b(?! either)"),
    # The search path set where the failing process never reads it: a shell profile, one terminal, not the
    # service, cron job, IDE, notebook kernel or sudo that runs the code
    ("path_set_elsewhere", r"\b(LD_LIBRARY_PATH|CUDA_HOME|PATH)\b.{0,80}(\.bashrc|\.profile|\.zshrc|\.bash_profile|"
                           r"/etc/environment|terminal|shell).{0,120}\b(systemd|service|cron(tab)?|jupyter|notebook|"
                           r"pycharm|vs ?code|spyder|ide|sudo|supervisor|gunicorn|airflow)\b"),
    ("file_exists", r"(file|library|lib|it|the \.so|\.so(\.\d+)*`?) (does |definitely |really |clearly )?(exists?\b|is there|"
                    r"is present|is installed|is located)|"
                    r"find / .{0,10}-name|sudo find|locate lib|but the file"),
    ("training_works", r"(training|it) (still |does )?(works|progresses|runs)|shows the python process|"
                       r"Num GPUs Available:\s*[1-9]|is it actually (training|running) on the CPU"),
    ("driver_in_container", r"(install\w*|put|ship\w*|add\w*) .{0,40}driver.{0,40}(inside|in|into) (the |my |our )?"
                            r"(container|image|docker)|driver (is |was |got )?(installed |put )(inside|in|into) (the |my |our )?"
                            r"(docker )?(container|image)"),
    ("both_tf", r"^(?!.*\b(uninstall|remov|delet|purg)).*?\bboth (the |an? )?`?tensorflow`? (package |entry )?and (the |an? )?`?tensorflow-(gpu|cpu)|"
                # "I made sure the tf and tf-gpu versions are the same": both installed, side by side
                r"\b(tf|tensorflow) and (tf|tensorflow)[-_](gpu|cpu) (package )?versions? (are|is|match)\b|"
                # "pip list shows both packages: `tensorflow` and `tensorflow-gpu`": the two names and "both" in a sentence
                r"^(?!.*\b(uninstall|remov|delet|purg))(?=.*\b(both|two)\b)(?=.*(?<![\w-])`?tensorflow`?(?![\w-]))(?=.*\btensorflow-(gpu|cpu|intel)\b)|"
                r"also an? `?tensorflow`? [\d.]* ?package|"
                r"`?tensorflow`? [\d.]* ?and `?tensorflow-(gpu|cpu)`? [\d.]* ?(are )?(both )?(installed|side by side|next to each "
                r"other)|having both tensorflow and "
                r"tensorflow-(gpu|cpu)|"
                r"`?tensorflow`? (entry |package )?.{0,50}(next to|alongside|beside|as well as) (the )?(conda )?"
                r"`?tensorflow-gpu|\btwo (different )?(tensorflow|tf) (versions|packages|installs|installations|copies)\b|"
                r"pip show tensorflow`? and `?pip show tensorflow-gpu`? both"),
    # A dependency's install brings the plain (CPU) `tensorflow` distribution: Keras 2.0 and many projects declare
    # `tensorflow`, which an installed tensorflow-gpu does not satisfy, so pip adds the CPU build beside it
    ("pulls_plain_tf", r"\b(pull\w*|brought|brings?|drag\w*|insists? on installing|install(s|ed|ing)?|download\w*|"
                       r"replac\w*|overwr\w*)( it)?( in| over)?( the)? (plain|cpu[- ]only|cpu|normal|regular|non-gpu|"
                       r"standard)( version of| build of| package)? `?tensorflow`?(?![-\w])|"
                       r"\b(puts?|leaves|left|gives|gave)( in)? (the )?(plain|cpu[- ]only|cpu|normal|regular|non-gpu|standard)"
                       r"( version of| build of| package)? `?tensorflow`?(?![-\w])|"
                       r"\b(pull\w*|drag\w*|insists? on installing) (in )?`?tensorflow`?(?![-\w])|"
                       # "it also installs tensorflow 1.10.1 (the CPU one) automatically"
                       r"\b(pull\w*|brought|brings?|install(s|ed|ing)?|download\w*)( also| too)? `?tensorflow`?(?![-\w])"
                       r"[ =]{0,3}[\d.]*`? \((the |a )?(cpu|cpu[- ]only|plain|non-gpu)\b"),
    # tensorflow-gpu taken out by another install ("it takes away my tensorflow-gpu"): the CPU tensorflow is left
    ("removes_tf_gpu", r"\b(takes? away|took away|remov(es|ed|ing)|uninstall(s|ed|ing)|replac(es|ed|ing)|overwr\w*|swap\w*)"
                       r"( out)? (my |the |our |an? )?(existing |installed )?`?tensorflow-gpu\b"),
    # The GPU was found until a Python package was installed (not the driver or CUDA): that install replaced the
    # framework's build, e.g. with the CPU one its requirements name
    # (also a step list: "`conda install -c conda-forge opencv` -> `torch.cuda.is_available()` now `False`")
    ("install_broke_it", r"\b(pip3?|conda|mamba) install\b[^\n]{0,120}?(->|→|=>)[^\n]{0,60}?\b(now\W{0,3}false|no longer|stopped)\b|"
                         r"\b(after|since) (i )?(`?(pip3?|conda|mamba) install |installing )`?(?!.{0,3}(driver|cuda|cudnn|nvidia))"
                         r"[\w.=-]+`?.{0,60}\b(only (sees|lists|finds|uses)|no longer|stopped|(does ?n[o']t|can'?t|cannot|"
                         r"won'?t) (see|find|use|detect))|\bbefore installing (?!.{0,3}(driver|cuda|cudnn|nvidia))[\w.-]+,? "
                         r"(\w+ ){0,3}(found|saw|used|detected|listed)\b|"
                         # "installed Keras with `pip3 install keras`, and since then TensorFlow only lists the CPU"
                         r"\binstall(ed|ing)? (?![^.;,]{0,25}\b(driver|cuda|cudnn|nvidia|toolkit))[^.;]{0,60}\b(since then|ever since|"
                         r"after that|from then on|afterwards)\b[^.;]{0,40}\b(only (sees|lists|finds|uses|shows)|no longer|stopped|"
                         r"(does ?n[o']t|can'?t|cannot|won'?t) (see|find|use|detect)|(was|is|became|had become) an? cpu)|"
                         # "installing lightning changes my pytorch version from cuda118 to cpu"
                         r"\binstall\w* (?![^.;,]{0,25}\b(driver|cuda|cudnn|nvidia|toolkit))[^.;]{0,40}\b(chang|replac|swap|switch|"
                         r"downgrad|turn)\w* (my |the )?(py)?(torch|tensorflow|jax(lib)?)\b[^.;]{0,30}\bto (an? |the )?cpu\b|"
                         # "pip install transformers[torch] replaced my torch 2.0.1+cu118 with torch 2.1.0": a CUDA build
                         # from PyTorch's own index, swapped for the one a dependency pulled from PyPI
                         r"\binstall\w* [^.;]{0,60}\b(replac|swapp|overwr|downgrad|upgrad)\w* (my |the )?(py)?torch\b[\d. =]{0,12}"
                         r"\+cu\d+|"
                         # "torch.cuda.is_available() turned False right after adding opencv with conda"
                         r"\b(turn(ed|s)?|became|went|changed|flipped) (to )?false\b[^.;]{0,40}\b(after|since|once|when) (i )?"
                         r"(add|install)\w*\b(?![^.;]{0,15}\b(driver|cuda|cudnn|nvidia|toolkit))"),
    # One framework installed twice, by conda and by pip: both write the same package folder over each other
    ("conda_and_pip", _twice_installed(r"conda", r"pip")),
    # nvidia-smi's "couldn't communicate with the NVIDIA driver", retold in the reporter's words
    ("smi_driver_retold", r"communicate with the (nvidia )?driver"),
    # TensorFlow and JAX take (nearly) all GPU memory per process by default, so a second process fails
    ("second_process", r"\b(second|another|other|two|2) (jupyter )?(notebooks?|kernels?|process(es)?|scripts?|"
                       r"instances?|programs?|models?)\b.{0,120}\b(fail|crash|die|dies|error|oom|out[- ]of[- ](gpu )?memory|won'?t)|"
                       r"\b(first|other) (one|notebook|process|kernel) (is )?(still )?(open|running)|"
                       # "GPU memory error with train.py and eval.py running together"
                       r"\b(memory|oom|fail\w*|crash\w*|error)\b.{0,80}\b(running|run|runs|launched|started) (together|at the same "
                       r"time|simultaneously|in parallel|concurrently)\b|\b(running|run|runs) (together|at the same time|"
                       r"simultaneously|in parallel|concurrently)\b.{0,80}\b(memory|oom|fail\w*|crash\w*)|"
                       # "eval.py dies with a GPU memory error while train.py is running"
                       r"\b(memory|oom)\b.{0,60}\bwhile\b.{0,40}\b(is|are) (still )?(running|training|going|open)\b"),
    # It works for root (or with sudo) and not for the user: the device nodes refuse the user
    ("root_only", r"\b(works?|runs?|fine|ok)\b.{0,40}\b(as|with|under|using) (the )?(root|sudo|--user root)\b|"
                  r"\b(true|works?|fine|ok)\b[^.]{0,20}\bfor (the )?(root|sudo)\b|"
                  r"\bsudo python\b.{0,60}\b(works?|sees|finds|true)\b|\bonly (as|with) (root|sudo)\b|"
                  # "started with `--user root` it loads normally" (in the reporter's language: de, es, pt, fr)
                  r"--user[ =](root|0)\b.{0,50}\b(works?|runs?|fine|ok|loads?|normal\w*|läuft|funktioniert|lädt|"
                  r"funciona|fonctionne|marche)\b"),
    # "I installed CUDA 11.8 and cuDNN", "CUDA toolkit is installed": the reporter says the libraries are there
    ("cuda_installed", r"(?<!never )(?<!not )(?<!n't )\b(installed|set up) (the )?(latest )?(nvidia )?cuda\b(?! ?dnn)|"
                       r"(?<!no )(?<!without )\bcuda( toolkit)?( \d+(\.\d+)*)? (is )?(already |properly |correctly )?"
                       r"installed\b"),
    ("cudnn_installed", r"(?<!never )(?<!not )(?<!n't )\b(installed|set up) (the )?(latest )?(nvidia )?(cuda (and|&) )?cudnn\b|"
                        r"\bcudnn( \d+(\.\d+)*)? (is )?(already |properly |correctly )?installed\b"),
    # Which frameworks the report talks about (to tell which one the GPU was set up for)
    # A framework named, or a project built on it (knowledge/framework_projects.csv: "YOLOv5", "ComfyUI")
    # (not the source path of jaxlib's own XLA messages, "W external/org_tensorflow/tensorflow/compiler/xla/…", which
    # older jaxlib prints with no TensorFlow installed)
    # (and its short name where only TensorFlow can be meant: "TF 2.4", "tf.config", "TF startup")
    ("names_tensorflow", r"(?<!org_tensorflow/)\btensorflow|\btf ?[12](?:\.\d+)+\b|\btf\.(?:config|keras|test|device|function|"
                         r"data|compat|sysconfig|__version__)\b|\btf (?:startup|import|version|gpu|session|logs?)\b|"
                         r"\b(?:does|doesn'?t|does not|can|can'?t|cannot|won'?t|will) tf (?:use|see|find|detect|run)\b|" +
     _projects("tensorflow")),
    ("says_tensorflow_gpu", r"\btensorflow[-_]gpu\b"),
    ("names_theano", r"\btheano(rc)?\b"),
    ("names_pytorch", r"\b(py)?torch\b|" + _projects("torch")),
    ("names_jax", r"\bjax(lib)?\b|" + _projects("jax")),
    ("training_talk", r"\b(train(ing|er)|epochs?|it/s|fine-?tun\w+|LoRA)\b"),
    # The reporter says the machine has an NVIDIA GPU, in words the GPU table may not resolve to a model ("my GeForce
    # card", "an NVIDIA graphics card"); PyTorch's own "check that you have an NVIDIA GPU" is no such statement
    ("nvidia_gpu_named", r"\b(geforce|quadro|tesla|titan|[rg]tx ?\d{3,4}\w*)\b|(?<!you have an )(?<!n't have an )(?<!not have an )(?<!no )(?<!without an )(?<!without )\bnvidia (gpus?(?! may be present)|cards?|"
                         r"graphics|rtx|gtx|geforce)\b|\bmy nvidia\b"),
    # "I never installed cuDNN", "there is no CUDA toolkit": the reporter says the library is not there
    # ("I never installed cuDNN 5.1.10" denies one release, not cuDNN: a version after it is another statement)
    # The reporter took the newest CUDA toolkit there is
    ("newest_cuda", r"\b(latest|newest|most recent)\b (version |release )?(of )?(the )?(nvidia )?cuda\b|"
                    r"\bcuda\b[^.]{0,60}\b(the )?(latest|newest|most recent) (version|release|one)\b"),
    ("cudnn_not_installed", r"\b(never|didn'?t|did not|haven'?t|have not|not) (yet )?install(ed)? (the )?cudnn\b(?! ?v?\d)|"
                            r"\bwithout (installing )?cudnn\b(?! ?v?\d)|\bno cudnn\b(?! ?v?\d)"),
    # The process holds (nearly) all the GPU's memory from the start: TensorFlow and JAX reserve it by default
    ("memory_taken", r"\b(memory|vram)\b.{0,80}\b(as soon as|right after|upon|when|on|at) (i )?(import|start|launch|"
                     r"initiali[sz])\w*|\b(as soon as|right after|upon|just by|once) ((i )?(import|start|launch|load)\w*|[\w.-]+ (is|gets|was|has been) "
                     r"(imported|loaded|started|launched))\b.{0,80}"
                     r"\b\d+ ?(g|m)i?b\b.{0,30}\b(memory|vram)|\b(as soon as|right after|upon|just by) (i )?(import|start|launch|load)\w*\b"
                     r".{0,80}\b(memory|vram)\b.{0,12}\b(gets? |is |was )?(used up|taken|allocated|filled|grabbed|reserved|occupied)\b|\b(takes|took|allocates?|allocated|grabs?|reserves?|occupies|uses|taken) (up )?"
                     r"(almost |nearly |basically )?(all|the whole|the entire|most|9\d ?%|\d+ ?G[Bi]?B?)( of)?( the)?( whole)? "
                     r"(gpu |video |vram |graphics )?(memory|vram)\b|\b(almost|nearly) (the )?(whole|all|entire) \d+ ?G[Bi]?B? "
                     r"(taken|used|allocated) by\b|"
                     # "Just importing it grabs a big chunk of my GPU memory"
                     r"\b(just |merely |simply )?(importing|starting|launching|loading)\b.{0,60}\b(grabs?|takes?|allocates?|reserves?|"
                     r"occupies|eats?|fills?) (up )?(a (big|large|huge) (chunk|part|portion)|most|all|\d+ ?G[Bi]?B?)( of)?( my| the)?"
                     r"( gpu| video| graphics)? (memory|vram)\b"),
    # The reporter says something fails (not only that it is slow or on the CPU)
    # (also a Python error's class named in words: "aborts with an ImportError")
    ("failing", r"(?<!\bno )(?<!\bwithout )(?<!\bany )\b(fail(s|ed|ing)?|crash(es|ed)?|errors?|exceptions?|abort(s|ed)?)\b|"
                r"\b(import|runtime|os|value|type|attribute|module\w*|xlaruntime|cuda)error\b"),
    # A library of NVIDIA's pip wheels named by its folder: site-packages/nvidia/cudnn/lib/libcudnn.so.9
    ("pip_nvidia_dir", r"site-packages/nvidia/(cudnn|cublas|cuda_runtime|cufft|cusparse|cusolver|nccl|nvjitlink)\b"),
    # nvidia-smi run where the framework runs shows the GPU, in the reporter's words
    # nvidia-smi run inside the container sees the GPU: the runtime handed it in, whatever flags the command shown has
    ("smi_in_container", r"`?nvidia-smi`?( (run|ran|running))? (in|inside|within) (the |a |my )?(container|pod)\W{0,3} "
                         r"(also |still |does |correctly )?(shows?|lists?|sees|works|reports|displays|detects)\b(?! no\b)"
                         r"(?! nothing)"),
    # (also "nvidia-smi in the container works": a place may stand between the command and its verb)
    ("smi_shows_gpu", r"`?nvidia-smi`?\W{0,3}( (in|inside|within) (the |a |my )?(container|pod|wsl|vm|image))? (also |still |does |"
                      r"correctly )?(shows?|lists?|sees|works|reports|displays|detects)"
                      r"\b(?! no\b)(?! nothing)"),
    ("colab", r"\b(google )?colab(oratory)?\b|google\.colab|/content/drive"),
    # A hosted notebook's runtime with a GPU ("connect to a GPU runtime", "runtime type: T4 GPU")
    # It worked and stopped with no change of the reporter's: what changed is what they do not manage (a hosted
    # runtime's image, an admin's driver update)
    ("stopped_by_itself", r"\b(all of a sudden|out of (nowhere|the blue)|(until|till|up to) (today|yesterday|last week|(mon|tues|wednes|thurs|fri|"
                          r"satur|sun)day)|since (today|yesterday|this (morning|week)|last (week|night)|(this |last )?"
                          r"(mon|tues|wednes|thurs|fri|satur|sun)day)|(worked|was working|used to work|ran)( fine| well| "
                          r"perfectly)? (yesterday|last week|before the weekend|a (few )?days? ago)|"
                          # "Same notebook was fine 2-4 days ago, no code change"
                          r"(was|were) (fine|ok|okay|working|fast) (\d+([-–]\d+)?|a few|two|three|few) (days?|weeks?) ago|"
                          r"(stopped|stops|broke|quit) (working )?(today|yesterday|suddenly|overnight)|"
                          # "A few days ago my notebook trained fine on the GPU. Today the same code is very slow."
                          r"(a (few )?|some |\d+ )(days?|weeks?) ago\b[^.]{0,60}\b(trained|worked|ran|was) (fine|well|ok|fast)|"
                          r"(trained|worked|ran) (fine|well|ok|perfectly)\b[^.]{0,40}\b(days?|weeks?) ago)\b"),
    ("gpu_runtime", r"\bgpu (runtime|instance|session|kernel)\b|\bruntime type\b[^.]{0,30}\bgpu\b|\bcolab(oratory)? (gpu|t4|a100|l4|v100)\b|"
                    r"\b(t4|a100|l4|v100|p100|h100) (gpu )?(runtime|instance|session)\b|"
                    # "switch the runtime to an A100 GPU", "changed runtime to T4"
                    r"\bruntime (type )?to (an? |the )?((t4|a100|l4|v100|p100|h100)\b|(\w+ ){0,2}gpu\b)|"
                    # "the notebook's runtime is set to use the GPU"
                    r"\bruntime (is |was )?(set|switched|changed)\b[^.]{0,20}\bgpu\b|"
                    # "Runtime is GPU", "the runtime is a T4 GPU"
                    r"\bruntime (type )?(is|was) (an? |the )?((t4|a100|l4|v100|p100|h100) )?gpu\b|"
                    # Kaggle's word for it: "a notebook with a GPU accelerator", "Accelerator: GPU T4 x2"
                    r"\bgpu (t4 x2 |p100 )?accelerator\b|\baccelerator\W{0,3} ?(gpu|t4|p100)\b|"
                    # a hosted notebook's machine with a GPU attached ("GPU attached: NVIDIA T4")
                    r"\bgpu attached\b|\battached (an? )?(nvidia )?(t4|a100|l4|v100|p100|gpu)\b"),
    # A hosted notebook service whose image brings the driver, CUDA and the frameworks, matched to each other
    ("hosted_notebook", r"\b(google )?colab(oratory)?\b|\bkaggle\b|\bsagemaker (studio|notebook)|\bpaperspace gradient\b|"
                        r"\bvertex ai workbench\b"),
    # The environment was made on a machine without a GPU (an HPC login node), then used on a GPU node
    ("env_built_without_gpu", r"\b(creat|buil|set(ting)? up|install)\w* .{0,60}\b(env(ironment)?s?|venv|conda)\b.{0,80}\b("
                              r"login node|head node|front ?end node|(node|machine|computer|laptop|server)s? (without|with no) "
                              r"(an? )?gpus?|cpu[- ]only (node|machine))"),
    # The start is slow (the first batch, the first call): what a GPU newer than the build does, which JIT-compiles
    # every kernel from PTX when first used
    # The program stops making progress ("just hangs", "freezes at the first epoch")
    ("hangs", r"\b(hangs|hung|hanging|freezes|froze|frozen|gets stuck|got stuck|is stuck)\b"),
    ("slow_start", r"\b(start-?up|first (batch|step|epoch|iteration|call|run)|warm-?up|get(ting)? going)\b.{0,60}"
                   r"\b(slow|minutes|forever|ages)\b|\b(slow|minutes|forever)\b.{0,30}\b(to start|start-?up|before "
                   r"(training|the first))\b|\bstart(s|ing)? (very |so |really |extremely )?slow(ly)?\b"),
    # The work does not reach the GPU: nvidia-smi shows it idle, training runs on the CPU or is slow
    ("gpu_unused", r"\bno gpu (is|was|gets|got) (being )?used\b|\bnvidia-smi\b.{0,20}\bshows nothing\b|\b(looks?|seems?|sits?|sitting|stays?|remains?) idle\b|\b(gpu|card)\b.{0,20}\b(does ?n[o']t|does not|is ?n[o']t) "
                   r"(seem to )?(do|doing) (any )?(work|anything|computing|computations?|calculations?)\b|"
                   r"\bno longer (uses?|sees?|finds?|detects?|recogni[sz]es?) (the |my |any )?gpus?\b|\bgpu (stops|stopped) "
                   r"being used\b|\bstopped using (the |my )?gpu\b|"
                   r"\b(nvidia-smi|gpu|gpus|utili[sz]ation)\b.{0,80}\b(no (gpu )?memory|0 ?%|zero|idle|not (being )?used|"
                   r"no (python |tf |torch )?process|nothing running)|\b(runs?|running|trains?|training|stays?|everything)"
                   r" (still |only |entirely |all |completely )?on (the )?cpu\b|\b(very|extremely|painfully|super|really|unusably|incredibly|terribly) "
                   r"slow\b|\b(training|inference|it) (is|runs|seems|feels|was) (so |too |quite |still )?slow(er)?\b|"
                   r"\butili[sz]ation (is |stays |of |at )?(only |around |about |just )?([0-9]|[1-3][0-9]) ?%|\bidentical to .{0,30}cpu\b|\b(just|only) uses? (the )?cpu\b|\bnever (gets|goes|runs) "
                   r"(on|onto|to) (the )?gpu\b|\b(does ?n[o']t|do ?n[o']t|never|not) (use|using|touch|touching) (the |my |any )?gpu\b|"
                   # "very low GPU utilisation", "the GPU sits at roughly 5% utilisation", "GPU-Util hovers at 5 %"
                   r"\bgpu[- ]?util\w*\b[^.]{0,40}?\b([0-9]|[1-3][0-9]) ?%|"
                   r"\blow (gpu |cuda |card )?(utili[sz]ation|usage|load)\b|"
                   # "GPU memory stays at 512MiB while training": nothing of the work's was put on it
                   r"\bgpu memory (usage )?(stays|remains|is stuck|sits|does ?n[o']t (go up|increase|change|grow)|never "
                   r"(goes up|increases|changes|grows))\b|\b([0-9]|[1-3][0-9]) ?% (gpu |cuda )?"
                   r"(utili[sz]ation|usage|load)\b|"
                   # "the GPU doesn't seem to be doing any work at all"
                   r"\bgpu\b[^.]{0,20}\b(does ?n[o']t|is ?n[o']t|is not|not) (seem to be |appear to be )?(do|doing) (any )?"
                   r"(work|anything)\b|"
                   # the same in Chinese: "用的还是 CPU", "走的是 CPU", "GPU 几乎没有负荷", "显卡没有被调用"
                   r"(用|走|跑)的(还)?是 ?cpu|(只|仅)(能)?(用|使用) ?cpu|在 ?cpu ?上(跑|运行|训练|推理)|(gpu|显卡) ?(几乎|基本|根本|完全)?"
                   r"(都)?(没有?|不)(被)?(用|使用|调用|负荷|负载|占用|加速|工作)|(gpu|显卡) ?(占用|使用率|利用率)(几乎|基本)?(为|是)? ?0|"
                   # and in Japanese: "学習がCPUで動く", "GPUがほぼ動いていない", "GPUが使われていない"
                   r"cpu ?で(動|回|実行|学習)|(gpu|グラボ) ?が ?(ほぼ|ほとんど|全く|まったく)?(動いていない|動かない|使われていない|使われない)"),
    # The GPU works in bursts: a few steps fast, then a pause ("four batches go through quickly, then a long pause"),
    # use that jumps up and down. The hallmark of a step that waits for its input (data loading, decoding, host
    # copies): the GPU does the work it gets (https://pytorch.org/tutorials/recipes/recipes/tuning_guide.html)
    ("input_bound", r"\b(batch(es)?|steps?|iterations?)\b[^.]{0,60}\b(quickly|fast)\b[^.]{0,40}(\b(then|and then)\b|->|→)[^.]{0,20}"
                    r"\b(a )?(long )?(pause|wait|stall)|\b(utili[sz]ation|usage|load)\b[^.]{0,40}\b(spikes?|fluctuates?|"
                    r"jumps? (up and down|between)|goes up and down|oscillates?)\b|\b(spikes?|jumps?) (briefly )?(to|up to) "
                    r"\d+ ?%[^.]{0,40}\b(then|and) (drops?|falls?|goes) (back )?(to )?\d"),
    # The reporter says the framework finds no GPU ("TensorFlow still won't list my GPU", "the count comes out as zero")
    ("gpu_not_found_said", r"\b(does ?n[o']t|won'?t|will not|can'?t|cannot|can not|could ?n[o']t|unable to|fails? to|never|"
                           r"not able to) (see|find|detect|list|recogni[sz]e|show|pick up)s? (my |the |any |a )?(nvidia |cuda )?"
                           r"(gpus?|graphics card|cuda devices?)\b|\b(count|number of gpus|num gpus[\w ]*)\b[^.]{0,30}\b(is|comes "
                           r"out as|returns?|shows?|gives?) (zero|0)\b|\bno gpus? (is |are |was )?(found|detected|available|listed)\b|"
                           # "it behaves as if there were no GPU"
                           r"\b(behav\w*|acts?|acting|runs?|running) (like|as if|as though) (there (is|was|were|are) )?no "
                           r"(nvidia |cuda )?gpus?\b"),
    # The reporter says the code never moves the model or the data to the GPU ("I never call .cuda()")
    ("never_moved", r"\b(i|we|my code|the code|my script|the script) (never|do ?n[o']t|did ?n[o']t) (call|use|move|put|send)\w*\b"
                    r"[^.;]{0,40}(\.cuda\(\)|\.to\(|to\(device\)|on(to)? (the )?gpu\b)|"
                    r"\b(forgot|forget|without) (to )?(call(ing)? |using )?[`']?(\.cuda\(\)|\.to\((device|'cuda'|\"cuda\")\))|"
                    r"\bdo(es)?n[o']t (call|use) [`']?(\.cuda\(\)|\.to\()"),
    # The reporter asks how to make the code use the GPU: a device option, a flag, a call that moves the model
    ("asks_device_option", r"\bhow (can|do|should|would) (i|we|you|one) (push|put|move|send|run|get|load|make|switch)\b"
                           r".{0,40}\b(on|onto|to|use) (the )?(gpu|cuda)\b|\bis there an? (option|flag|setting|"
                           r"parameter|argument|config\w*) (for|to)\b.{0,30}\b(gpu|cuda)\b"),
    # nvidia-smi lists the reporter's process holding GPU memory: the work does reach the GPU
    ("process_on_gpu", r"\b(python|process|pid)\b.{0,50}\b\d+(\.\d+)? ?(mib|mb|gib|gb)\b|\b\d+(\.\d+)? ?(mib|mb|gib|gb)\b.{0,40}"
                       r"\b(python|my process)\b|"
                       # nvidia-smi's process table lists only processes that hold a CUDA context on the GPU
                       r"\bnvidia-smi\b.{0,30}(?<!never )(?<!n't )(?<!not )\b(lists|shows) (the |my |a )?(python|training) (process|\.exe)\b|"
                       # "in nvidia-smi the python process is there with a small amount of memory on the card"
                       r"\bnvidia-smi\b.{0,20}\b(the |my |a )?(python|training) process (is )?(there|listed|shown|present|visible)\b|"
                       # memory the run holds on the GPU: a process has it only once it made a CUDA context there
                       # ("GPU memory usage goes up, but …", "the GPU only seems to hold memory")
                       r"\b(gpu|vram|video|graphics card'?s?)( memory)? (usage|use) (goes|went) up\b|"
                       r"\bgpu (memory )?(usage|use) (rises|rose|increases|increased|grows|grew|jumps|jumped)\b|"
                       r"\bthe gpu (only )?(seems to |appears to )?(hold|holds|held|allocates?|allocated|takes?|took) "
                       r"(some |the |its )?memory\b|"
                       # nvidia-smi "showing memory in use (Memory-Usage is occupied)" beside an idle GPU-Util
                       r"\bnvidia-smi\b.{0,30}\b(memory|memory-usage)\b (is )?(in use|occupied|allocated)\b|"
                       r"\bmemory-usage (is )?(occupied|in use|allocated)\b|"
                       # "GPU Memory Loaded, but 0 Utilization", "the GPUs get fully loaded with data"
                       r"\bgpu memory (is |gets |got )?(fully )?loaded\b|\bgpus? (gets?|got|are|is) (fully )?loaded with\b"),
    # The reporter says the work sits on the GPU: the model or tensors are on a cuda device, or its memory is in use
    ("work_on_gpu", r"\b(model|tensors?|inputs?|batch(es)?|weights|parameters|everything)\b[^.\n]{0,30}\b(is|are|was|were|"
                    r"sits?|lives?|moved|put|loaded)\b[^.\n]{0,12}\b(on|to|onto) (the )?(gpu|cuda(:\d+)?)\b|"
                    r"\bdevice(\(type=| is |: ?|=)\s*['\"]?cuda\b|"
                    r"\b\d+(\.\d+)? ?(mib|mb|gib|gb)( of (gpu |vram |video )?memory)? (is |are )?(used|in use|allocated)\b"),
    # The framework sees or uses fewer GPUs than the machine has
    ("fewer_gpus", r"\b(only|just) (ever )?(sees?|seeing|uses?|using|shows?|detects?|finds?|lists?|reports?|recogni[sz]es?) (one|1|a single|two|2|"
                   r"three|3)\b|\bdevice_count\(\)[^.\n]{0,20}\b(returns?|gives?|is|prints?|shows?|=+|->|→)\s*\d\b|\bonly "
                   r"(one|1|a single) (of (the|my) \w+ )?gpus? (is |are )?(seen|visible|used|detected|shown|found)\b"),
    # JetPack 4 (L4T r32): its containers get CUDA, cuDNN and TensorRT mounted from the host by the NVIDIA runtime
    ("l4t_r32", r"\bl4t[\w.-]*?[:-]r32\.\d|\bJetPack 4\.\d"),
    # MIG: a MIG device's UUID, or the word beside its instances (nvidia-smi's MIG table, "split into MIG slices")
    ("mig", r"\bMIG-[0-9a-f]{8}-|\bMIG\b.{0,40}\b(slices?|instances?|partition\w*|mode|devices?)\b|\b(partition\w*|split) "
            r"(with|into) (\d+ )?MIG\b"),
    # The reporter asks what messages mean, or whether they matter
    ("asks_meaning", r"\b(what does (this|it|that) mean|does (this|it|that) mean|what do (these|the|those) (warnings?|messages?|"
                     r"lines?|logs?) mean|is (this|it|that) (a problem|bad|normal|an error|something to worry)|should i "
                     r"(worry|be worried)|can i (safely )?ignore|safe to ignore|insight on (these|the) (warnings|messages)|"
                     # "I don't know if it means something is misconfigured", "whether these messages mean something"
                     r"(know|sure|wonder(ing)?|ask(ing)?) (if|whether) (it|this|that|these|those|the) ((warnings?|messages?|"
                     r"lines?) )?means?\b|can (these|they|it|this) be (safely )?ignored)"),
    # Windows Task Manager under its localised names (zh-CN, zh-TW, ja, ko, es, pt-BR, it, ru as Windows shows them)
    ("task_manager", r"\btask ?manager\b|\bGestionnaire des t[aâ]ches\b|\bTaskmanager\b|任务管理器|工作管理員|"
                     r"タスク ?マネージャー|작업 관리자|\bAdministrador de tareas\b|\bGerenciador de tarefas\b|"
                     r"\bGestione attivit[aà]\b|Диспетчер(?:е)? задач"),
))


# The phrases of knowledge/report_phrases.csv, all in one pattern (a group per row): "phrase:<category>" for
# words that name a cause, "place:<category>" for words that name only where it happens (the `says` column).
# They are looked for in the reporter's sentences only, which come before the logs a report carries:
# the first PHRASE_CHARS characters of sentences are read for them, so a huge paste costs no more than a
# short one.
PHRASE_CHARS = 20_000
CUE_CHARS = 50_000
_PHRASE_ROWS = table("report_phrases")
PHRASES = guarded(re.compile("|".join(f"(?P<p{i}>{r['pattern']})" for i, r in enumerate(_PHRASE_ROWS)), re.I))


def phrase_id(row: dict) -> str:
    return f"{'place' if row['says'] == 'place' else 'phrase'}:{row['category']}"


def phrase_meaning(cue_id: str, text: str) -> str:
    """The meaning of the phrase row a cue came from: a category may have several rows (CUDA_VISIBLE_DEVICES and
    Ray's num_gpus both hide GPUs), so the row is the first of that id whose words are in the cue's line."""
    rows = [r for r in _PHRASE_ROWS if phrase_id(r) == cue_id]
    return next((r["meaning"] for r in rows if re.search(r["pattern"], text, re.I)), rows[0]["meaning"] if rows else "")


def phrases(line: str) -> dict[str, int]:
    """The cue ids ("phrase:<category>" or "place:<category>") of the phrases in one sentence line, each with where
    in the line its first match starts."""
    out: dict[str, int] = {}
    for m in PHRASES.finditer(line[:MAX_LINE]):
        out.setdefault(phrase_id(_PHRASE_ROWS[int(m.lastgroup[1:])]), m.start())
    return out


# Most lines hold no cue: test the plain strings each pattern needs (read from the pattern itself,
# triage/literals.py) before running it, run it on the lower-cased line, and look only at the head
# of an enormous line.
FILTERED = tuple((cid, Filtered(rx)) for cid, rx in CUES)
_LOWERED: dict[int, re.Pattern] = {}  # each made when first needed: most reports test a few cues only


def _lowered(f: Filtered) -> re.Pattern:
    rx = _LOWERED.get(id(f))
    if rx is None:
        rx = _LOWERED[id(f)] = guarded(for_lowered(f.rx))
    return rx
# cues with a case-sensitive part ("(?-i:…)"): lower-cased text cannot tell it, so a hit there is checked on the line
CASED = frozenset(cid for cid, rx in CUES if "(?-i:" in rx.pattern)


def find(line: str, todo=None, low: str | None = None) -> list[str]:
    """Cue ids found in one line. `todo`: the cue filters a LineIndex plan says may match it (else tested here);
    `low`: the line already passed through `lowered`."""
    if low is None:
        low = lowered(line[:MAX_LINE])
    else:
        low = low[:MAX_LINE]
    if todo is None:
        todo = [f for _, f in FILTERED if passes(f.need, low)]
    if not todo:
        return []
    return without_cancelled([cid for cid, f in FILTERED if f in todo and _lowered(f).search(low) and
                              (cid not in CASED or f.rx.search(line[:MAX_LINE]))])


# A cue that says the others on its line are about another place: "in Colab it works, but locally it does not"
# names Colab as the place where it works, not the one the report is about.
_CANCELS = {"colab_elsewhere": ("colab", "hosted_notebook")}


def without_cancelled(found: list[str]) -> list[str]:
    """The cue ids of one line, less those another cue on it cancels (_CANCELS)."""
    for cid in [c for c in found if c in _CANCELS]:
        found = [c for c in found if c not in _CANCELS[cid]]
    return found
