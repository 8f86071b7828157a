import pandas as pd
import csv
import os
os.environ["CUDA_VISIBLE_DEVICES"] = "7"
import random
import argparse
import copy
from fastchat.model import add_model_args

from fuzz_utils import fuzzing_status, execute, print_status
from llm_utils.creat_model import prepare_model_and_tok


def main(args, args_target, MODEL, TOK, MODEL_TARGET, TOK_TARGET, questions, initial_seed):
    status = fuzzing_status(questions, question_index=args.question_index, initial_seed=initial_seed,
                            max_query=args.max_query, max_jailbreak=args.max_jailbreak)
    save_path = './outputs/single_single_' + str(status.question_index) + '.csv'
    with open(save_path, 'w', newline='') as file:
        writer = csv.writer(file)
        writer.writerow(['text', 'parent_index', 'generation', 'response', 'num_query'])
        while True:
            selected_seed = status.seed_selection_strategy()
            mutate_results, mutation = status.mutate_strategy(selected_seed, status, MODEL, TOK, args)
            attack_results, valid_index, data = execute(status, mutate_results, args_target, MODEL_TARGET, TOK_TARGET)
            status.update(attack_results, mutate_results, mutation, valid_index, data)
            print_status(status)
            if status.stop_condition():
                break
        for seed in status.seed_queue:
            writer.writerow([seed.text, seed.parent_index, seed.generation, seed.response, status.query])
    print("Fuzzing finished!")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description='Fuzzing parameters')
    parser.add_argument('--question_index', type=int, default=99)
    parser.add_argument('--model_path', type=str, default='gpt-3.5-turbo', help='openai model or open-sourced LLMs')
    parser.add_argument('--target_model', type=str, default='meta-llama/Llama-2-7b-chat-hf', help='The target model')
    parser.add_argument('--max_query', type=int, default=500)
    parser.add_argument('--max_jailbreak', type=int, default=1)
    parser.add_argument("--temperature", type=float, default=1.0)
    parser.add_argument("--max-new-tokens", type=int, default=512)
    add_model_args(parser)
    args = parser.parse_args()
    args.num_gpus = 1
    MODEL, TOK = prepare_model_and_tok(args)
    args_target = copy.deepcopy(args)
    args_target.model_path = args.target_model
    args_target.temperature = 0.01
    MODEL_TARGET, TOK_TARGET = prepare_model_and_tok(args_target)
    questions = pd.read_csv('datasets/questions/question_list.csv')['text'].tolist()
    initial_seed = pd.read_csv('datasets/prompts/seed_prompts.csv')['text'].tolist()
    random.shuffle(initial_seed)
    main(args, args_target, MODEL, TOK, MODEL_TARGET, TOK_TARGET, questions, initial_seed)
